//! The document's header block (版头, 主体, 版记) read from the lines around a table.
//! Fields that are not there stay empty: nothing is invented.

use duban_domain::{Disclosure, DocNumber, DocReference, Document, parse_chinese_date};

/// 文种: a title ends with one of these.
const DOC_KINDS: &[&str] = &[
    "通报", "通知", "决定", "意见", "报告", "方案", "函", "批复", "请示", "纪要", "公告", "通告",
    "决议", "命令", "议案", "公报", "令", "情况",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the title: red header and doc number.
    Head,
    /// After the title, before 主送.
    Title,
    /// 正文.
    Body,
    /// After `附件：`, 署名, 日期, 附注.
    Closing,
    /// After the `附件` heading: the table title.
    Attachment,
}

/// A line without markdown decoration (`#`, `**`, `>`), trimmed; rules (`---`) are empty.
fn clean(line: &str) -> String {
    let t = line
        .trim()
        .trim_start_matches('#')
        .trim_start_matches('>')
        .trim();
    let t = t.trim_start_matches("**").trim_end_matches("**").trim();
    if t.chars().all(|c| matches!(c, '-' | '*' | '_' | '=')) {
        String::new()
    } else {
        t.to_string()
    }
}

fn is_heading(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

fn ends_with_doc_kind(text: &str) -> bool {
    DOC_KINDS.iter().any(|k| text.ends_with(k))
}

fn is_attachment_heading(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    t == "附件"
        || (t.starts_with("附件") && t[6..].chars().all(|c| c.is_ascii_digit()) && t.len() > 6)
}

/// Parses the preamble (before the table) and trailer (after it) into document fields.
pub fn parse_document(preamble: &[String], trailer: &[String]) -> Document {
    let mut doc = Document::default();
    let mut stage = Stage::Head;
    let mut title_parts: Vec<String> = Vec::new();
    let mut loose: Vec<String> = Vec::new();
    for raw in preamble {
        let line = clean(raw);
        if line.is_empty() {
            continue;
        }
        if is_attachment_heading(&line) {
            stage = Stage::Attachment;
            continue;
        }
        if let Some(disclosure) = Disclosure::from_note(&line) {
            doc.disclosure = Some(disclosure);
            stage = Stage::Closing;
            continue;
        }
        match stage {
            Stage::Head | Stage::Title => {
                if doc.issuer.is_none()
                    && doc.doc_number.is_none()
                    && title_parts.is_empty()
                    && line.ends_with("文件")
                    && line.chars().count() > 2
                {
                    doc.issuer = Some(line.trim_end_matches("文件").trim().to_string());
                } else if doc.doc_number.is_none()
                    && title_parts.is_empty()
                    && let Ok(n) = DocNumber::parse(&line)
                {
                    doc.doc_number = Some(n);
                } else if stage == Stage::Title && (line.ends_with('：') || line.ends_with(':')) {
                    doc.recipients = split_list(line.trim_end_matches(['：', ':']));
                    stage = Stage::Body;
                } else if stage == Stage::Head
                    && (is_heading(raw)
                        || ends_with_doc_kind(&line)
                        || doc.doc_number.is_some()
                        || doc.issuer.is_some())
                {
                    title_parts.push(line.clone());
                    if ends_with_doc_kind(&line) || is_heading(raw) {
                        stage = Stage::Title;
                    }
                } else if stage == Stage::Title
                    && !ends_with_doc_kind(title_parts.concat().as_str())
                {
                    title_parts.push(line);
                } else {
                    loose.push(line);
                }
            }
            Stage::Body => {
                if let Some(att) = line
                    .strip_prefix("附件：")
                    .or_else(|| line.strip_prefix("附件:"))
                {
                    doc.attachment = Some(att.trim().to_string());
                    stage = Stage::Closing;
                } else {
                    doc.body.push(line);
                }
            }
            Stage::Closing => {
                if let Ok(date) = parse_chinese_date(&line) {
                    doc.date = Some(date);
                } else if doc.date.is_none() && doc.signatory.is_none() {
                    doc.signatory = Some(line);
                } else if let Some(att) =
                    doc.attachment.as_mut().filter(|_| doc.signatory.is_none())
                {
                    att.push('\n');
                    att.push_str(&line);
                } else {
                    loose.push(line);
                }
            }
            Stage::Attachment => match doc.table_title.as_mut() {
                None => doc.table_title = Some(line),
                Some(t) => loose.push(std::mem::replace(t, line)),
            },
        }
    }
    if !title_parts.is_empty() {
        doc.title = Some(join_title(&title_parts));
    }
    // A lone line above a table with no header block is the table's title, not a notice title.
    if doc.issuer.is_none()
        && doc.doc_number.is_none()
        && doc.recipients.is_empty()
        && doc.table_title.is_none()
        && let Some(last) = loose.last().filter(|l| looks_like_table_title(l))
    {
        doc.table_title = Some(last.clone());
        loose.pop();
    }
    if doc.table_title.is_none()
        && doc.title.as_deref().is_some_and(looks_like_table_title)
        && doc.issuer.is_none()
        && doc.doc_number.is_none()
    {
        doc.table_title = doc.title.take();
    }
    // Text we could not place is still the notice's text: keep it as body.
    doc.body.extend(loose);
    doc.references = references(&doc.body);
    for raw in trailer {
        let line = clean(raw);
        if line.is_empty() {
            continue;
        }
        if let Some(list) = line
            .strip_prefix("抄送：")
            .or_else(|| line.strip_prefix("抄送:"))
        {
            doc.copy_to = split_list(list.trim_end_matches(['。', '.']));
        } else if let Some(head) = line.strip_suffix("印发") {
            let (by, date) = split_printed(head);
            doc.printed_by = by;
            doc.printed_on = date;
        } else if let Some(disclosure) = Disclosure::from_note(&line) {
            doc.disclosure = Some(disclosure);
        } else {
            doc.body.push(line);
        }
    }
    doc
}

fn looks_like_table_title(line: &str) -> bool {
    line.ends_with('表') || line.ends_with("清单") || line.ends_with("一览表")
}

/// Title lines are joined; a space the source put between Chinese characters was a line
/// break in print, not part of the title.
fn join_title(parts: &[String]) -> String {
    let joined = parts.join("");
    let chars: Vec<char> = joined.chars().collect();
    let mut out = String::with_capacity(joined.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if prev.is_some_and(|c| !c.is_ascii()) || next.is_some_and(|c| !c.is_ascii()) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn split_list(text: &str) -> Vec<String> {
    text.split(['，', ',', '、', '；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `泉州市鲤城区人民政府办公室 2020年10月15日` → (机关, 日期).
fn split_printed(text: &str) -> (Option<String>, Option<chrono::NaiveDate>) {
    let text = text.trim();
    match text.rfind(char::is_whitespace) {
        Some(at) => {
            let date = parse_chinese_date(&text[at..]).ok();
            let by = text[..at].trim();
            match date {
                Some(d) => ((!by.is_empty()).then(|| by.to_string()), Some(d)),
                None => (Some(text.to_string()), None),
            }
        }
        None => (Some(text.to_string()), None),
    }
}

/// Documents the body cites: `《title》（泉鲤政办〔2020〕44号）`.
fn references(body: &[String]) -> Vec<DocReference> {
    let mut refs: Vec<DocReference> = Vec::new();
    for paragraph in body {
        for (range, number) in DocNumber::find_all(paragraph) {
            if refs.iter().any(|r| r.doc_number == number) {
                continue;
            }
            let before = &paragraph[..range.start];
            let before = before.trim_end_matches(['（', '(']);
            let title = before.strip_suffix('》').and_then(|b| {
                b.rfind('《')
                    .map(|open| b[open + '《'.len_utf8()..].to_string())
            });
            refs.push(DocReference {
                doc_number: number,
                title,
            });
        }
    }
    refs
}

/// The name of the sheet where duban's own XLSX keeps the document's fields
/// (`render::xlsx` writes it), and its header.
pub const FIELDS_SHEET: &str = "文件信息";
pub const FIELDS_HEADER: [&str; 2] = ["项目", "内容"];

/// Puts the fields of a 文件信息 sheet (name, value) over what the lines around the
/// table gave: duban's own workbook re-imports with its document fields. Empty
/// values and names it does not know leave the field as it was.
pub fn apply_fields(doc: &mut Document, fields: &[(String, String)]) {
    let list = |text: &str| split_list(text.trim_end_matches(['。', '.']));
    for (name, value) in fields {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match name.trim() {
            "发文机关" => doc.issuer = Some(value.to_string()),
            "发文字号" => {
                if let Ok(n) = DocNumber::parse(value) {
                    doc.doc_number = Some(n);
                }
            }
            "标题" => doc.title = Some(value.to_string()),
            "主送机关" => doc.recipients = list(value),
            "正文" => {
                doc.body = value
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                doc.references = references(&doc.body);
            }
            "附件" => doc.attachment = Some(value.to_string()),
            "署名" => doc.signatory = Some(value.to_string()),
            "成文日期" => {
                if let Ok(date) = parse_chinese_date(value) {
                    doc.date = Some(date);
                }
            }
            "公开属性" => {
                if let Some(d) = Disclosure::from_note(value) {
                    doc.disclosure = Some(d);
                }
            }
            "附件标题" => doc.table_title = Some(value.to_string()),
            "抄送" => doc.copy_to = list(value),
            "印发机关" => doc.printed_by = Some(value.to_string()),
            "印发日期" => {
                if let Ok(date) = parse_chinese_date(value) {
                    doc.printed_on = Some(date);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn seed_style_header_block() {
        let doc = parse_document(
            &lines(
                "\n# 泉州市鲤城区人民政府办公室文件\n\n泉鲤政办〔2020〕48号\n\n---\n\n## 泉州市鲤城区人民政府办公室关于黄辉灿区长 在区政府第一次全体会上的讲话 部署落实情况的通报\n\n高新区管委会，各街道办事处，区直有关单位：\n\n根据《关于对讲话部署进行责任分解的通知》（泉鲤政办〔2020〕44号）文件要求，现予以通报。\n\n---\n\n附件：落实情况表\n\n泉州市鲤城区人民政府办公室\n\n2020年10月15日\n\n（此件主动公开）\n\n## 附件\n\n黄区长讲话部署落实情况表\n",
            ),
            &lines("抄送：区委办，区人大办。\n泉州市鲤城区人民政府办公室 2020年10月15日印发"),
        );
        assert_eq!(doc.issuer.as_deref(), Some("泉州市鲤城区人民政府办公室"));
        assert_eq!(
            doc.doc_number.as_ref().map(ToString::to_string).as_deref(),
            Some("泉鲤政办〔2020〕48号")
        );
        assert_eq!(
            doc.title.as_deref(),
            Some(
                "泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报"
            )
        );
        assert_eq!(
            doc.recipients,
            ["高新区管委会", "各街道办事处", "区直有关单位"]
        );
        assert_eq!(doc.body.len(), 1);
        assert_eq!(doc.references.len(), 1);
        assert_eq!(
            doc.references[0].title.as_deref(),
            Some("关于对讲话部署进行责任分解的通知")
        );
        assert_eq!(doc.attachment.as_deref(), Some("落实情况表"));
        assert_eq!(doc.signatory.as_deref(), Some("泉州市鲤城区人民政府办公室"));
        assert_eq!(doc.date, chrono::NaiveDate::from_ymd_opt(2020, 10, 15));
        assert_eq!(doc.disclosure, Some(Disclosure::Active));
        assert_eq!(doc.table_title.as_deref(), Some("黄区长讲话部署落实情况表"));
        assert_eq!(doc.copy_to, ["区委办", "区人大办"]);
        assert_eq!(
            doc.printed_by.as_deref(),
            Some("泉州市鲤城区人民政府办公室")
        );
    }

    #[test]
    fn a_bare_table_title_invents_no_document() {
        let doc = parse_document(&lines("重点工作落实情况表\n"), &[]);
        assert_eq!(doc.table_title.as_deref(), Some("重点工作落实情况表"));
        assert_eq!(doc.title, None);
        assert_eq!(doc.issuer, None);
        assert_eq!(doc.doc_number, None);
        assert!(doc.body.is_empty());
        assert_eq!(parse_document(&[], &[]), Document::default());
    }
}
