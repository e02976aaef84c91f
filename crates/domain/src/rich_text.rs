use serde::{Deserialize, Serialize};

/// Text with the little structure real notices carry: paragraphs and bold runs.
/// Never raw HTML: importers turn markup into this, renderers turn this into markup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichText {
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
}

impl RichText {
    /// One paragraph per line of `text`, no bold.
    pub fn plain(text: &str) -> Self {
        let mut rich = RichText::default();
        for line in text.split('\n') {
            rich.push_paragraph(vec![Run {
                text: line.to_string(),
                bold: false,
            }]);
        }
        rich
    }

    /// Appends a paragraph after normalising it (adjacent runs of one style merged,
    /// empty runs dropped, edges trimmed); a paragraph left empty is not added.
    pub fn push_paragraph(&mut self, runs: Vec<Run>) {
        let paragraph = Paragraph::normalised(runs);
        if !paragraph.runs.is_empty() {
            self.paragraphs.push(paragraph);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paragraphs.is_empty()
    }

    /// Plain text: paragraphs joined by `\n`, bold dropped.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&p.text());
        }
        out
    }

    pub fn has_bold(&self) -> bool {
        self.paragraphs.iter().flat_map(|p| &p.runs).any(|r| r.bold)
    }

    /// The bold runs, in order (labels such as `区住建局：`).
    pub fn bold_runs(&self) -> impl Iterator<Item = &str> {
        self.paragraphs
            .iter()
            .flat_map(|p| &p.runs)
            .filter(|r| r.bold)
            .map(|r| r.text.as_str())
    }
}

impl Paragraph {
    fn normalised(runs: Vec<Run>) -> Self {
        let mut out: Vec<Run> = Vec::with_capacity(runs.len());
        for run in runs {
            if run.text.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.bold == run.bold => last.text.push_str(&run.text),
                _ => out.push(run),
            }
        }
        // Trim the paragraph's outer whitespace, keeping inner spacing as written.
        if let Some(first) = out.first_mut() {
            first.text = first.text.trim_start().to_string();
        }
        if let Some(last) = out.last_mut() {
            last.text = last.text.trim_end().to_string();
        }
        out.retain(|r| !r.text.is_empty());
        Paragraph { runs: out }
    }

    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_runs_and_trims() {
        let mut r = RichText::default();
        r.push_paragraph(vec![
            Run {
                text: "  区住建局".into(),
                bold: true,
            },
            Run {
                text: "：".into(),
                bold: true,
            },
            Run {
                text: "已完成。 ".into(),
                bold: false,
            },
        ]);
        r.push_paragraph(vec![Run {
            text: "   ".into(),
            bold: false,
        }]);
        assert_eq!(r.paragraphs.len(), 1);
        assert_eq!(r.paragraphs[0].runs[0].text, "区住建局：");
        assert_eq!(r.plain_text(), "区住建局：已完成。");
    }

    #[test]
    fn plain_round_trips_lines() {
        let r = RichText::plain("一是甲。\n二是乙。");
        assert_eq!(r.paragraphs.len(), 2);
        assert_eq!(r.plain_text(), "一是甲。\n二是乙。");
    }
}
