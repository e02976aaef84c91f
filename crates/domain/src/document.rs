use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::doc_number::DocNumber;
use crate::task::Task;
use crate::unit::{UnitDirectory, UnitFlag};

/// 公开属性 (GB/T 9704 §7.3.7 附注).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Disclosure {
    #[serde(rename = "主动公开")]
    Active,
    #[serde(rename = "依申请公开")]
    OnRequest,
    #[serde(rename = "不予公开")]
    NotDisclosed,
}

impl Disclosure {
    pub fn label(self) -> &'static str {
        match self {
            Disclosure::Active => "主动公开",
            Disclosure::OnRequest => "依申请公开",
            Disclosure::NotDisclosed => "不予公开",
        }
    }

    /// Reads a 附注 such as `（此件主动公开）` or `(此件公开发布)`.
    pub fn from_note(text: &str) -> Option<Self> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let t = t
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）'])
            .trim_start_matches("此件");
        match t {
            "主动公开" | "公开发布" | "公开" => Some(Disclosure::Active),
            "依申请公开" => Some(Disclosure::OnRequest),
            "不予公开" | "不公开" | "不予公开发布" => Some(Disclosure::NotDisclosed),
            _ => None,
        }
    }
}

/// Whether a stored notice may be served to the public (page, download, API): only
/// once it is out, that is issued by the office or imported as the issued document it
/// is, and only when 主动公开. A draft is never public, whatever its 公开属性 says; a
/// 依申请公开 or 不予公开 notice is answered only on request, outside this system.
/// How the 署名 and 成文日期 are laid out (GB/T 9704 §7.3.5): for a notice sealed after
/// printing (the default for notices), or for one issued without a seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureLayout {
    /// §7.3.5.1: 成文日期 右空四字, 署名 centred above it, room for the seal.
    #[default]
    Sealed,
    /// §7.3.5.2: 正文下空一行 右空二字 署名, the date on the next line two 字 right of
    /// the 署名's first character (or 右空二字 when longer, the 署名 moving left).
    Unsealed,
}

impl SignatureLayout {
    pub fn label(self) -> &'static str {
        match self {
            SignatureLayout::Sealed => "加盖印章（成文日期右空四字，署名居中其上）",
            SignatureLayout::Unsealed => "不加盖印章（署名右空二字，日期右移二字）",
        }
    }

    /// The stored name (`sealed`, `unsealed`).
    pub fn code(self) -> &'static str {
        match self {
            SignatureLayout::Sealed => "sealed",
            SignatureLayout::Unsealed => "unsealed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "sealed" => Some(SignatureLayout::Sealed),
            "unsealed" => Some(SignatureLayout::Unsealed),
            _ => None,
        }
    }
}

pub fn is_public(disclosure: Option<Disclosure>, draft: bool) -> bool {
    !draft && disclosure == Some(Disclosure::Active)
}

/// A document another one cites, e.g. the 44号 decomposition notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocReference {
    pub doc_number: DocNumber,
    /// The title in 《》 right before the number, when written.
    pub title: Option<String>,
}

/// The header fields of a notice. Absent in the source means `None`/empty, never invented.
impl Document {
    /// The 附件说明's name and the attachment's own title when they differ (the seed:
    /// 全体会 / 全体会议): GB/T 9704 §7.3.7 wants the same wording, and the office must
    /// hear of it before issuing. Spaces and a trailing full stop do not count.
    pub fn attachment_title_mismatch(&self) -> Option<(&str, &str)> {
        let norm = |t: &str| -> String {
            t.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .trim_end_matches(['。', '.'])
                .to_string()
        };
        let (note, title) = (self.attachment.as_deref()?, self.table_title.as_deref()?);
        // Several attachments (“1.甲\n2.乙”) name more than one title: not compared.
        if note.contains('\n') {
            return None;
        }
        (norm(note) != norm(title)).then_some((note, title))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// 发文机关, without the 文件 of the red header.
    pub issuer: Option<String>,
    pub doc_number: Option<DocNumber>,
    pub title: Option<String>,
    /// 主送机关.
    pub recipients: Vec<String>,
    /// 正文 paragraphs.
    pub body: Vec<String>,
    pub references: Vec<DocReference>,
    /// 附件说明: the attachment's name after `附件：`.
    pub attachment: Option<String>,
    /// 署名 (发文机关署名).
    pub signatory: Option<String>,
    /// 成文日期.
    pub date: Option<NaiveDate>,
    pub disclosure: Option<Disclosure>,
    /// The attachment table's own title line.
    pub table_title: Option<String>,
    /// 版记: 抄送 list.
    pub copy_to: Vec<String>,
    /// 版记: 印发机关.
    pub printed_by: Option<String>,
    /// 版记: 印发日期.
    pub printed_on: Option<NaiveDate>,
}

/// A notice: its document fields, its tasks, and the units it names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub document: Document,
    pub tasks: Vec<Task>,
    /// The units this notice names, with aliases, in order of first appearance.
    pub units: UnitDirectory,
    /// Probable typos of unit names, for the supervisor to confirm.
    pub unit_flags: Vec<UnitFlag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_title_mismatch_is_found() {
        let mut d = Document {
            attachment: Some("黄区长在区政府第一次全体会上的讲话部署落实情况表".into()),
            table_title: Some("黄区长在区政府第一次全体会议上的讲话部署落实情况表".into()),
            ..Document::default()
        };
        assert!(d.attachment_title_mismatch().is_some());
        d.table_title = Some("黄区长在区政府第一次全体会上的讲话 部署落实情况表。".into());
        assert_eq!(d.attachment_title_mismatch(), None);
        d.table_title = None;
        assert_eq!(d.attachment_title_mismatch(), None);
    }

    #[test]
    fn reads_disclosure_notes() {
        assert_eq!(
            Disclosure::from_note("（此件主动公开）"),
            Some(Disclosure::Active)
        );
        assert_eq!(
            Disclosure::from_note("(此件公开发布)"),
            Some(Disclosure::Active)
        );
        assert_eq!(
            Disclosure::from_note("（此件依申请公开）"),
            Some(Disclosure::OnRequest)
        );
        assert_eq!(
            Disclosure::from_note("（此件不予公开）"),
            Some(Disclosure::NotDisclosed)
        );
        assert_eq!(Disclosure::from_note("（此件请公开）"), None);
    }

    #[test]
    fn only_issued_notices_disclosed_on_the_office_s_initiative_are_public() {
        assert!(is_public(Some(Disclosure::Active), false));
        assert!(!is_public(Some(Disclosure::Active), true), "a draft");
        assert!(!is_public(Some(Disclosure::OnRequest), false));
        assert!(!is_public(Some(Disclosure::NotDisclosed), false));
        assert!(!is_public(None, false));
    }
}
