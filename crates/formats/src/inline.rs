//! Inline markup inside a cell (`<p>`, `<b>`, `<br>`, entities, markdown `**`) → rich text.
//!
//! Cells in real notices carry only this small subset, so a purpose-built scanner is
//! used instead of a full HTML parser: it is what keeps the seed's import under 2 ms.
//! Unknown tags are dropped, their text kept; nothing inside a cell is lost.

use duban_domain::{RichText, Run};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineOptions {
    /// A newline in the text starts a new paragraph (text formats); in HTML it is space.
    pub newline_is_break: bool,
    /// `**bold**` is bold (markdown).
    pub markdown_bold: bool,
}

pub const TEXT: InlineOptions = InlineOptions {
    newline_is_break: true,
    markdown_bold: false,
};
pub const MARKDOWN: InlineOptions = InlineOptions {
    newline_is_break: true,
    markdown_bold: true,
};
pub const HTML: InlineOptions = InlineOptions {
    newline_is_break: false,
    markdown_bold: false,
};

struct Builder {
    rich: RichText,
    runs: Vec<Run>,
    text: String,
    bold_depth: usize,
    markdown_bold: bool,
}

impl Builder {
    fn bold(&self) -> bool {
        self.bold_depth > 0 || self.markdown_bold
    }

    fn flush_run(&mut self) {
        if !self.text.is_empty() {
            let bold = self.bold();
            self.runs.push(Run {
                text: std::mem::take(&mut self.text),
                bold,
            });
        }
    }

    fn flush_paragraph(&mut self) {
        self.flush_run();
        let runs = std::mem::take(&mut self.runs);
        self.rich.push_paragraph(runs);
    }
}

pub fn parse_inline(source: &str, options: InlineOptions) -> RichText {
    let mut b = Builder {
        rich: RichText::default(),
        runs: Vec::new(),
        text: String::new(),
        bold_depth: 0,
        markdown_bold: false,
    };
    let mut rest = source;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some((tag, after)) = read_tag(rest)
        {
            apply_tag(&mut b, &tag);
            rest = after;
            continue;
        }
        if c == '&'
            && let Some((decoded, after)) = read_entity(rest)
        {
            b.text.push(decoded);
            rest = after;
            continue;
        }
        if options.markdown_bold && rest.starts_with("**") {
            b.flush_run();
            b.markdown_bold = !b.markdown_bold;
            rest = &rest[2..];
            continue;
        }
        if c == '\\' && options.markdown_bold {
            // Markdown escapes: `\|`, `\*`, `\\`.
            let mut chars = rest.chars();
            chars.next();
            if let Some(next) = chars
                .next()
                .filter(|n| matches!(n, '|' | '*' | '\\' | '<' | '&'))
            {
                b.text.push(next);
                rest = chars.as_str();
                continue;
            }
        }
        if c == '\n' || c == '\r' {
            if options.newline_is_break {
                b.flush_paragraph();
            } else {
                b.text.push(' ');
            }
        } else {
            b.text.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    b.flush_paragraph();
    b.rich
}

/// A tag: `<name ...>`, `</name>`, `<name/>`. Returns the lower-cased name with a
/// leading `/` for closing tags.
fn read_tag(s: &str) -> Option<(String, &str)> {
    let bytes = s.as_bytes();
    let first = *bytes.get(1)?;
    if !(first.is_ascii_alphabetic() || first == b'/' || first == b'!') {
        return None;
    }
    let end = s.find('>')?;
    let inner = &s[1..end];
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_empty() && !inner.starts_with('!') {
        return None;
    }
    let tag = if closing { format!("/{name}") } else { name };
    Some((tag, &s[end + 1..]))
}

fn apply_tag(b: &mut Builder, tag: &str) {
    match tag {
        "b" | "strong" => {
            b.flush_run();
            b.bold_depth += 1;
        }
        "/b" | "/strong" => {
            b.flush_run();
            b.bold_depth = b.bold_depth.saturating_sub(1);
        }
        "p" | "/p" | "div" | "/div" | "br" | "li" | "/li" | "tr" | "/tr" | "h1" | "h2" | "h3"
        | "h4" | "/h1" | "/h2" | "/h3" | "/h4" => b.flush_paragraph(),
        _ => {}
    }
}

fn read_entity(s: &str) -> Option<(char, &str)> {
    // Entity names are short ASCII; look for the `;` among the next few characters only.
    let end = s
        .char_indices()
        .take(12)
        .find(|(_, c)| *c == ';')
        .map(|(i, _)| i)?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "middot" => '·',
        "mdash" => '—',
        _ => {
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    name.strip_prefix('#')?.parse().ok()?
                };
            char::from_u32(code)?
        }
    };
    Some((c, &s[end + 1..]))
}

/// Writes rich text as the inline subset `parse_inline` reads (for markdown tables):
/// `<p>` per paragraph when there are several, `<b>` for bold, special characters escaped.
pub fn write_inline(rich: &RichText) -> String {
    let mut out = String::new();
    let several = rich.paragraphs.len() > 1;
    for p in &rich.paragraphs {
        if several {
            out.push_str("<p>");
        }
        for run in &p.runs {
            if run.bold {
                out.push_str("<b>");
            }
            for c in run.text.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '|' => out.push_str("&#124;"),
                    '*' => out.push_str("&#42;"),
                    '\\' => out.push_str("&#92;"),
                    '\n' | '\r' | '\t' => out.push(' '),
                    c => out.push(c),
                }
            }
            if run.bold {
                out.push_str("</b>");
            }
        }
        if several {
            out.push_str("</p>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_bold() {
        let r = parse_inline("<p><b>区住建局：</b>已完成。</p><p>二是乙。</p>", TEXT);
        assert_eq!(r.paragraphs.len(), 2);
        assert!(r.paragraphs[0].runs[0].bold);
        assert_eq!(r.plain_text(), "区住建局：已完成。\n二是乙。");
    }

    #[test]
    fn literal_angle_brackets_and_entities() {
        let r = parse_inline("a < b &amp; c&#12288;d &foo; <3", TEXT);
        assert_eq!(r.plain_text(), "a < b & c\u{3000}d &foo; <3");
    }

    #[test]
    fn markdown_bold_and_escapes() {
        let r = parse_inline(r"**甲：**乙\|丙", MARKDOWN);
        assert!(r.paragraphs[0].runs[0].bold);
        assert_eq!(r.plain_text(), "甲：乙|丙");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_inline(&s, TEXT);
            let _ = parse_inline(&s, MARKDOWN);
            let _ = parse_inline(&s, HTML);
        }
    }

    #[test]
    fn write_then_read_is_identity() {
        let r = parse_inline("<p><b>甲 & 乙：</b>a|b*c<d></p><p>二</p>", TEXT);
        assert_eq!(parse_inline(&write_inline(&r), MARKDOWN), r);
    }
}
