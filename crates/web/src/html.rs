//! The HTML the app builds in code rather than in templates: rich text, the marked
//! phrases of a reading, what changed since last round, and the error page (which must
//! not depend on the templates working). Everything is escaped here; templates insert
//! the result as safe.

use duban_domain::RichText;
use duban_domain::analysis::Evidence;
use minijinja::HtmlEscape;

/// Rich text as HTML: `<p>` per paragraph, `<strong>` for bold, everything escaped.
pub fn rich_html(rich: &RichText) -> String {
    let mut out = String::new();
    for p in &rich.paragraphs {
        out.push_str("<p>");
        for run in &p.runs {
            let text = HtmlEscape(&run.text).to_string();
            if run.bold {
                out.push_str("<strong>");
                out.push_str(&text);
                out.push_str("</strong>");
            } else {
                out.push_str(&text);
            }
        }
        out.push_str("</p>");
    }
    out
}

/// Text as HTML with each evidence phrase in a `<mark>` (character offsets; phrases
/// that overlap an earlier one are left unmarked), everything escaped.
pub fn highlight(text: &str, evidence: &[Evidence]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<&Evidence> = evidence
        .iter()
        .filter(|e| e.at.start < e.at.end && e.at.end <= chars.len())
        .collect();
    spans.sort_by_key(|e| e.at.start);
    let esc = |from: usize, to: usize| {
        HtmlEscape(&chars[from..to].iter().collect::<String>()).to_string()
    };
    let mut out = String::new();
    let mut at = 0;
    for e in spans {
        if e.at.start < at {
            continue;
        }
        out.push_str(&esc(at, e.at.start));
        out.push_str(&format!(
            "<mark class=\"signal {}\" title=\"{}\">{}</mark>",
            e.signal.code(),
            HtmlEscape(&e.label),
            esc(e.at.start, e.at.end)
        ));
        at = e.at.end;
    }
    out.push_str(&esc(at, chars.len()));
    out.replace('\n', "<br>")
}

/// A sentence-level diff of two texts as HTML (`<ins>`/`<del>`), for "what changed".
pub fn diff_html(before: &RichText, after: &RichText) -> String {
    fn sentences(r: &RichText) -> Vec<String> {
        let text = r.plain_text();
        let mut out = Vec::new();
        let mut current = String::new();
        for c in text.chars() {
            current.push(c);
            if matches!(c, '。' | '；' | '！' | '？' | '\n') {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }
    let (a, b) = (sentences(before), sentences(after));
    // Longest common subsequence over sentences.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let esc = |s: &str| HtmlEscape(s).to_string();
    let (mut i, mut j) = (0, 0);
    let mut out = String::from("<p class=\"diff\">");
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&esc(&a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("<ins>{}</ins>", esc(&b[j])));
            j += 1;
        } else {
            out.push_str(&format!("<del>{}</del>", esc(&a[i])));
            i += 1;
        }
    }
    out.push_str("</p>");
    out.replace('\n', "<br>")
}

/// The page answering a failed request: its title and the message, escaped.
pub fn error_page(title: &str, message: &str) -> String {
    let (title, message) = (HtmlEscape(title), HtmlEscape(message));
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title} - 督办</title>\
         <link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"narrow\">\
         <h1>{title}</h1><p>{message}</p><p><a href=\"/\">返回首页</a></p></main></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_domain::Run;

    #[test]
    fn rich_text_is_escaped() {
        let mut r = RichText::default();
        r.push_paragraph(vec![
            Run {
                text: "<script>".into(),
                bold: true,
            },
            Run {
                text: " & 甲".into(),
                bold: false,
            },
        ]);
        assert_eq!(
            rich_html(&r),
            "<p><strong>&lt;script&gt;</strong> &amp; 甲</p>"
        );
    }

    #[test]
    fn the_error_page_escapes_its_message() {
        let page = error_page("操作未完成", "单位“<b>甲</b>”不在名录中");
        assert!(
            page.contains("<p>单位“&lt;b&gt;甲&lt;&#x2f;b&gt;”不在名录中</p>"),
            "{page}"
        );
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"));
    }

    #[test]
    fn diff_marks_changed_sentences() {
        let html = diff_html(&RichText::plain("甲。乙。"), &RichText::plain("甲。丙<。"));
        assert_eq!(
            html,
            "<p class=\"diff\">甲。<ins>丙&lt;。</ins><del>乙。</del></p>"
        );
    }
}
