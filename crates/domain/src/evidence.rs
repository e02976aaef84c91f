//! 佐证材料: the files a unit attaches to its report as evidence. Which files are
//! accepted (kind decided by the content's magic bytes, not by the name), how large,
//! how many per report, and what their names may contain. Pure: the web layer reads
//! the upload, the store keeps it.

use serde::{Deserialize, Serialize};

/// Largest file accepted: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Most files one report may carry.
pub const MAX_ATTACHMENTS_PER_REPORT: usize = 10;

/// Longest file name kept, in characters (the extension is kept when shortening).
pub const MAX_FILENAME_CHARS: usize = 100;

/// The `accept` list for an upload form: the extensions of every kind.
pub const ACCEPTED_EXTENSIONS: &str = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.ofd,.txt";

/// What the office accepts, in one phrase for messages.
const ACCEPTED_TEXT: &str =
    "可上传 PDF、图片（JPG/PNG）、Word（.docx）、Excel（.xlsx）、OFD 或文本（.txt）文件";

/// A kind of file accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Pdf,
    Jpeg,
    Png,
    /// Word (Office Open XML): a ZIP with `word/` parts.
    Docx,
    /// Excel (Office Open XML): a ZIP with `xl/` parts.
    Xlsx,
    /// 版式文档 OFD (GB/T 33190): a ZIP with `OFD.xml` at its root.
    Ofd,
    /// Plain text, UTF-8.
    Text,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 7] = [
        EvidenceKind::Pdf,
        EvidenceKind::Jpeg,
        EvidenceKind::Png,
        EvidenceKind::Docx,
        EvidenceKind::Xlsx,
        EvidenceKind::Ofd,
        EvidenceKind::Text,
    ];

    /// The media type to serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            EvidenceKind::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            EvidenceKind::Ofd => "application/ofd",
            EvidenceKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// The kind a stored media type names (as [`EvidenceKind::content_type`] wrote it).
    pub fn from_content_type(content_type: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }

    /// What users call it.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "PDF",
            EvidenceKind::Jpeg => "JPG 图片",
            EvidenceKind::Png => "PNG 图片",
            EvidenceKind::Docx => "Word 文档",
            EvidenceKind::Xlsx => "Excel 表格",
            EvidenceKind::Ofd => "OFD 文档",
            EvidenceKind::Text => "文本文件",
        }
    }

    /// File name extensions (lower case, without the dot); the first is the usual one.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            EvidenceKind::Pdf => &["pdf"],
            EvidenceKind::Jpeg => &["jpg", "jpeg"],
            EvidenceKind::Png => &["png"],
            EvidenceKind::Docx => &["docx"],
            EvidenceKind::Xlsx => &["xlsx"],
            EvidenceKind::Ofd => &["ofd"],
            EvidenceKind::Text => &["txt"],
        }
    }

    /// The kinds that are ZIP containers: the magic bytes say "ZIP", the extension says
    /// which, and the archive's part names confirm it ([`confirm_zip_parts`]).
    pub fn is_zip(self) -> bool {
        matches!(
            self,
            EvidenceKind::Docx | EvidenceKind::Xlsx | EvidenceKind::Ofd
        )
    }

    fn is_image(self) -> bool {
        matches!(self, EvidenceKind::Jpeg | EvidenceKind::Png)
    }

    fn for_extension(ext: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL
            .into_iter()
            .find(|k| k.extensions().contains(&ext))
    }
}

/// Why a file is not accepted as evidence. Messages say what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("文件“{0}”是空文件，请重新选择要上传的佐证材料")]
    Empty(String),
    #[error(
        "文件过大（{}），单个佐证材料不超过 10 MB。请压缩图片、分拆文件或转为 PDF 后再上传",
        oversize(*.size)
    )]
    TooLarge { size: usize },
    #[error("不支持的文件类型：{name}。{ACCEPTED_TEXT}")]
    Unsupported { name: String },
    #[error(
        "“{name}”是旧版 Word/Excel 格式（.doc/.xls），请在 Office 或 WPS 中另存为 .docx/.xlsx，\
         或导出为 PDF 后上传"
    )]
    LegacyOffice { name: String },
    /// The name says one kind, the content is not that kind.
    #[error(
        "文件“{name}”的内容不是{expected}（可能已损坏，或扩展名被改过）。\
         请用原软件重新导出后上传；{ACCEPTED_TEXT}"
    )]
    Mismatch {
        name: String,
        expected: &'static str,
    },
    /// A `.txt` file that is not UTF-8 text (e.g. GBK, or binary).
    #[error(
        "文本文件“{name}”不是 UTF-8 编码的纯文本。请在记事本或 WPS 中另存为 UTF-8 编码，\
         或转为 PDF 后上传"
    )]
    NotUtf8Text { name: String },
    #[error(
        "每份填报最多上传 {MAX_ATTACHMENTS_PER_REPORT} 个佐证材料。请先删除不再需要的文件，\
         或将多个文件合并为一个 PDF 后上传"
    )]
    TooMany,
}

/// `size` bytes as users read it: MB (MiB) to one decimal, small files in KB, rounded
/// to the nearest (at least 1 KB).
pub fn megabytes(size: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if size < MIB {
        format!("{} KB", (size.saturating_add(KIB / 2) / KIB).max(1))
    } else {
        let tenths = size.saturating_mul(10).saturating_add(MIB / 2) / MIB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// The size of a file over the limit: as [`megabytes`], but never a figure that reads
/// as within the limit ("10.0 MB" for 10 MB and a few bytes says "10.1 MB").
fn oversize(size: usize) -> String {
    const LEAST_OVER: usize = MAX_ATTACHMENT_BYTES + MAX_ATTACHMENT_BYTES / 100;
    megabytes(size.max(LEAST_OVER))
}

/// Refuses an empty or oversized file (`name` for the message).
pub fn check_size(name: &str, size: usize) -> Result<(), EvidenceError> {
    if size == 0 {
        return Err(EvidenceError::Empty(name.to_string()));
    }
    if size > MAX_ATTACHMENT_BYTES {
        return Err(EvidenceError::TooLarge { size });
    }
    Ok(())
}

/// Refuses a file that would take a report over [`MAX_ATTACHMENTS_PER_REPORT`].
pub fn check_count(existing: usize) -> Result<(), EvidenceError> {
    if existing >= MAX_ATTACHMENTS_PER_REPORT {
        Err(EvidenceError::TooMany)
    } else {
        Ok(())
    }
}

/// The extension of `name`, lower case, without the dot; `None` if it has none.
fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_lowercase())
}

/// The kind the content's first bytes show, for the kinds with a signature. A ZIP
/// is told apart by the name's extension (checked again by [`confirm_zip_parts`]).
fn sniff(bytes: &[u8], ext: Option<&str>) -> Option<EvidenceKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(EvidenceKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(EvidenceKind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(EvidenceKind::Png)
    } else if bytes.starts_with(b"PK\x03\x04") {
        match ext {
            Some("docx") => Some(EvidenceKind::Docx),
            Some("xlsx") => Some(EvidenceKind::Xlsx),
            Some("ofd") => Some(EvidenceKind::Ofd),
            _ => None,
        }
    } else {
        None
    }
}

/// Whether `bytes` are UTF-8 plain text: valid UTF-8 (a BOM allowed) and no control
/// characters other than tab, line breaks and form feed.
fn is_plain_text(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
    })
}

/// The kind of an uploaded file, or why it is refused.
///
/// The content decides: PDF, JPEG and PNG by their signatures; DOCX, XLSX and OFD are
/// ZIP files (signature `PK\x03\x04`) named `.docx`, `.xlsx` or `.ofd` — the caller
/// opens the archive and checks its parts with [`confirm_zip_parts`]; text is a `.txt`
/// file that is UTF-8 plain text. The name's extension must be one of the kind's (a
/// JPEG named `.png` or the other way round is accepted as what it is: phones and
/// chat apps often get that wrong). Size is checked first ([`check_size`]).
///
/// `name` should be [`sanitize_filename`]'s output: it is quoted in messages.
pub fn classify(name: &str, bytes: &[u8]) -> Result<EvidenceKind, EvidenceError> {
    check_size(name, bytes.len())?;
    let ext = extension(name);
    let named = ext.as_deref().and_then(EvidenceKind::for_extension);
    let sniffed = sniff(bytes, ext.as_deref());
    let Some(named) = named else {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
            || matches!(ext.as_deref(), Some("doc" | "xls" | "wps" | "et"))
        {
            return Err(EvidenceError::LegacyOffice {
                name: name.to_string(),
            });
        }
        return Err(EvidenceError::Unsupported {
            name: name.to_string(),
        });
    };
    match sniffed {
        Some(kind) if kind == named || (kind.is_image() && named.is_image()) => Ok(kind),
        None if named == EvidenceKind::Text => {
            if is_plain_text(bytes) {
                Ok(EvidenceKind::Text)
            } else {
                Err(EvidenceError::NotUtf8Text {
                    name: name.to_string(),
                })
            }
        }
        _ => Err(EvidenceError::Mismatch {
            name: name.to_string(),
            expected: named.label(),
        }),
    }
}

/// Confirms a ZIP-based kind from the names in the archive's central directory: a Word
/// document has `word/` parts, a workbook `xl/` parts, an OFD file `OFD.xml` at its
/// root. Other kinds pass unchecked.
pub fn confirm_zip_parts<'a>(
    kind: EvidenceKind,
    name: &str,
    mut parts: impl Iterator<Item = &'a str>,
) -> Result<(), EvidenceError> {
    let found = match kind {
        EvidenceKind::Docx => parts.any(|p| p.starts_with("word/")),
        EvidenceKind::Xlsx => parts.any(|p| p.starts_with("xl/")),
        EvidenceKind::Ofd => parts.any(|p| p.eq_ignore_ascii_case("OFD.xml")),
        _ => true,
    };
    if found {
        Ok(())
    } else {
        Err(EvidenceError::Mismatch {
            name: name.to_string(),
            expected: kind.label(),
        })
    }
}

/// A file name safe to store and to offer back for download: the last path component
/// (browsers may send `C:\…\扫描件.pdf`), without control or bidirectional-override
/// characters (which can disguise `exe.pdf` as `fdp.exe`), characters Windows forbids
/// replaced by `_`, spaces and dots trimmed from the ends, at most
/// [`MAX_FILENAME_CHARS`] characters (the extension kept). Chinese stays as it is.
/// An empty result is `佐证材料`.
pub fn sanitize_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace() || c == '.');
    let mut out = trimmed.to_string();
    if out.chars().count() > MAX_FILENAME_CHARS {
        let ext = out
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty() && e.chars().count() <= 10)
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let keep = MAX_FILENAME_CHARS - ext.chars().count();
        let stem: String = out.chars().take(keep).collect();
        out = format!("{}{ext}", stem.trim_end());
    }
    if out.is_empty() {
        out = "佐证材料".to_string();
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    const ZIP: &[u8] = b"PK\x03\x04\x14\0\x06\0\x08\0";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF";
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0";

    #[test]
    fn kinds_come_from_the_content() {
        assert_eq!(classify("整改报告.pdf", PDF), Ok(EvidenceKind::Pdf));
        assert_eq!(classify("现场照片.JPG", JPEG), Ok(EvidenceKind::Jpeg));
        assert_eq!(classify("现场照片.jpeg", JPEG), Ok(EvidenceKind::Jpeg));
        assert_eq!(classify("截图.png", PNG), Ok(EvidenceKind::Png));
        assert_eq!(classify("台账.xlsx", ZIP), Ok(EvidenceKind::Xlsx));
        assert_eq!(classify("情况说明.docx", ZIP), Ok(EvidenceKind::Docx));
        assert_eq!(classify("批复.ofd", ZIP), Ok(EvidenceKind::Ofd));
        assert_eq!(
            classify("说明.txt", "已完成整改。\r\n".as_bytes()),
            Ok(EvidenceKind::Text)
        );
        assert_eq!(
            classify("bom.txt", b"\xEF\xBB\xBFok"),
            Ok(EvidenceKind::Text)
        );
        // An image named as the other image kind is what its bytes say.
        assert_eq!(classify("微信图片.jpg", PNG), Ok(EvidenceKind::Png));
    }

    #[test]
    fn names_alone_do_not_make_a_kind() {
        // An executable renamed to .pdf is not a PDF.
        assert!(matches!(
            classify("报告.pdf", EXE),
            Err(EvidenceError::Mismatch {
                expected: "PDF",
                ..
            })
        ));
        // A ZIP named .pdf, a PDF named .docx, a PDF named .png.
        assert!(matches!(
            classify("a.pdf", ZIP),
            Err(EvidenceError::Mismatch { .. })
        ));
        assert!(matches!(
            classify("a.docx", PDF),
            Err(EvidenceError::Mismatch { .. })
        ));
        assert!(matches!(
            classify("a.png", PDF),
            Err(EvidenceError::Mismatch { .. })
        ));
        // A plain ZIP, even of the right files, is not accepted as such.
        assert!(matches!(
            classify("材料.zip", ZIP),
            Err(EvidenceError::Unsupported { .. })
        ));
    }

    #[test]
    fn refusals_say_what_to_do() {
        let e = classify("setup.exe", EXE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "不支持的文件类型：setup.exe。可上传 PDF、图片（JPG/PNG）、Word（.docx）、\
             Excel（.xlsx）、OFD 或文本（.txt）文件"
        );
        // Even a PDF is refused under a name users would open as a program.
        assert!(matches!(
            classify("报告.exe", PDF),
            Err(EvidenceError::Unsupported { .. })
        ));
        assert!(matches!(
            classify("无扩展名", PDF),
            Err(EvidenceError::Unsupported { .. })
        ));
        let e = classify("旧表.xls", OLE).unwrap_err();
        assert!(matches!(e, EvidenceError::LegacyOffice { .. }));
        assert!(e.to_string().contains("另存为 .docx/.xlsx"), "{e}");
        assert!(matches!(
            classify("旧文档.doc", OLE),
            Err(EvidenceError::LegacyOffice { .. })
        ));
        // GBK text and binary junk named .txt.
        assert!(matches!(
            classify("说明.txt", b"\xd2\xd1\xcd\xea\xb3\xc9"),
            Err(EvidenceError::NotUtf8Text { .. })
        ));
        assert!(matches!(
            classify("x.txt", b"ab\0cd"),
            Err(EvidenceError::NotUtf8Text { .. })
        ));
        assert_eq!(
            classify("空.pdf", b""),
            Err(EvidenceError::Empty("空.pdf".into()))
        );
        assert_eq!(
            check_count(MAX_ATTACHMENTS_PER_REPORT - 1),
            Ok(()),
            "the tenth is allowed"
        );
        assert_eq!(
            check_count(MAX_ATTACHMENTS_PER_REPORT),
            Err(EvidenceError::TooMany)
        );
    }

    #[test]
    fn size_limit_and_its_message() {
        let mut big = PDF.to_vec();
        big.resize(MAX_ATTACHMENT_BYTES, b' ');
        assert_eq!(classify("大.pdf", &big), Ok(EvidenceKind::Pdf));
        big.push(b' ');
        let e = classify("大.pdf", &big).unwrap_err();
        assert_eq!(
            e,
            EvidenceError::TooLarge {
                size: MAX_ATTACHMENT_BYTES + 1
            }
        );
        assert!(
            e.to_string()
                .starts_with("文件过大（10.1 MB），单个佐证材料不超过 10 MB"),
            "{e}"
        );
        // 12.3 MB as in the office's wording; size is checked before the kind.
        let size = 12 * 1024 * 1024 + 300 * 1024;
        assert!(
            EvidenceError::TooLarge { size }
                .to_string()
                .starts_with("文件过大（12.3 MB）")
        );
        assert!(matches!(
            classify("x.exe", &vec![0u8; MAX_ATTACHMENT_BYTES + 1]),
            Err(EvidenceError::TooLarge { .. })
        ));
        assert_eq!(megabytes(1), "1 KB");
        assert_eq!(megabytes(1536), "2 KB");
        assert_eq!(megabytes(1535), "1 KB");
        assert_eq!(megabytes(11 * 1024 * 1024 + 300), "11.0 MB");
        assert_eq!(megabytes(1024 * 1024), "1.0 MB");
        assert_eq!(megabytes(11_000_000), "10.5 MB");
    }

    #[test]
    fn zip_parts_confirm_the_kind() {
        let docx = ["[Content_Types].xml", "_rels/.rels", "word/document.xml"];
        let xlsx = ["[Content_Types].xml", "xl/workbook.xml"];
        let ofd = ["OFD.xml", "Doc_0/Document.xml"];
        let ok = |kind, parts: &[&str]| confirm_zip_parts(kind, "f", parts.iter().copied());
        assert_eq!(ok(EvidenceKind::Docx, &docx), Ok(()));
        assert_eq!(ok(EvidenceKind::Xlsx, &xlsx), Ok(()));
        assert_eq!(ok(EvidenceKind::Ofd, &ofd), Ok(()));
        assert!(ok(EvidenceKind::Docx, &xlsx).is_err());
        assert!(ok(EvidenceKind::Xlsx, &docx).is_err());
        assert!(ok(EvidenceKind::Ofd, &docx).is_err());
        assert_eq!(ok(EvidenceKind::Pdf, &[]), Ok(()));
    }

    #[test]
    fn filenames_are_cleaned_but_keep_chinese() {
        assert_eq!(
            sanitize_filename("C:\\Users\\张三\\桌面\\整改报告（终稿）.pdf"),
            "整改报告（终稿）.pdf"
        );
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("a\u{0}b\r\n.pdf"), "ab.pdf");
        // Right-to-left override: "报告\u{202E}fdp.exe" shows as 报告exe.pdf.
        assert_eq!(sanitize_filename("报告\u{202E}fdp.exe"), "报告fdp.exe");
        assert_eq!(sanitize_filename("a:b*c?.png"), "a_b_c_.png");
        assert_eq!(sanitize_filename("  说明.txt. "), "说明.txt");
        assert_eq!(sanitize_filename(""), "佐证材料");
        assert_eq!(sanitize_filename("/"), "佐证材料");
        assert_eq!(sanitize_filename(".pdf"), "pdf");
        let long = format!("{}.pdf", "很".repeat(300));
        let short = sanitize_filename(&long);
        assert_eq!(short.chars().count(), MAX_FILENAME_CHARS);
        assert!(short.ends_with("很.pdf"));
    }

    #[test]
    fn content_types_round_trip() {
        for k in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::from_content_type(k.content_type()), Some(k));
            for ext in k.extensions() {
                assert!(ACCEPTED_EXTENSIONS.contains(&format!(".{ext}")));
            }
        }
    }
}
