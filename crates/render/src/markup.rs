//! Text inside XML and HTML markup (DOCX parts, the disclosure page).

/// Appends `text` as character data or a quoted attribute value: the five special
/// characters escaped, and the characters XML 1.0 forbids (C0 controls other than tab and
/// line ends, U+FFFE, U+FFFF) left out: Word refuses to open a file with one, and HTML
/// does not allow them either. Runs of ordinary text, most of a notice's bytes, are
/// copied whole.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Every character to replace or drop starts with an ASCII byte or 0xEF (the
        // lead byte of U+FFFE and U+FFFF), so `at` is on a character boundary whenever
        // one matches.
        let (replacement, len) = match bytes[at] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'\t' | b'\n' | b'\r' => {
                at += 1;
                continue;
            }
            0..=0x1F => ("", 1),
            0xEF if bytes[at..].starts_with("\u{FFFE}".as_bytes())
                || bytes[at..].starts_with("\u{FFFF}".as_bytes()) =>
            {
                ("", 3)
            }
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&text[plain_from..at]);
        out.push_str(replacement);
        at += len;
        plain_from = at;
    }
    out.push_str(&text[plain_from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_forbidden_characters_dropped() {
        let mut out = String::new();
        escape_into(&mut out, "a<b>&\"c'\u{0}\u{b}\t①\u{FFFF}");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&#39;\t①");
        let mut html = String::new();
        escape_into(&mut html, r#"<b>甲&乙</b> "x" 'y'"#);
        assert_eq!(
            html,
            "&lt;b&gt;甲&amp;乙&lt;/b&gt; &quot;x&quot; &#39;y&#39;"
        );
    }
}
