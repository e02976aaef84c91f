//! Files the app hands out as downloads: their `Content-Disposition`, and a notice
//! rendered to DOCX, PDF, XLSX or HTML.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use duban_domain::{Notice, SignatureLayout};
use duban_render::{OutputFormat, RenderOptions};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::AppError;

/// A notice rendered to `format`, as a download named after its 文号 (or title),
/// laid out to be sealed.
pub async fn notice_file(notice: Notice, format: OutputFormat) -> Result<Response, AppError> {
    notice_file_with(notice, format, SignatureLayout::Sealed).await
}

/// [`notice_file`] with the 署名 and 成文日期 laid out as the office set (`layout`).
pub async fn notice_file_with(
    notice: Notice,
    format: OutputFormat,
    layout: SignatureLayout,
) -> Result<Response, AppError> {
    let name = notice
        .document
        .doc_number
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| notice.document.title.clone())
        .unwrap_or_else(|| "通报".to_string());
    let bytes = tokio::task::spawn_blocking(move || {
        let options = RenderOptions {
            layout,
            ..RenderOptions::system()
        };
        duban_render::render(&notice, format, &options)
    })
    .await
    .map_err(|e| AppError::BadRequest(format!("生成文件失败：{e}")))?
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let filename = format!("{name}.{}", format.name());
    Ok((
        [
            (header::CONTENT_TYPE, format.mime_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&filename, "notice"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A workbook as a download named `filename`.
pub fn xlsx(filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(filename, "table"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266, RFC 5987). The plain
/// `filename` is the name itself when it is printable ASCII without quotes or
/// backslashes, else `FALLBACK.EXT`.
pub fn content_disposition(filename: &str, fallback: &str) -> String {
    let plain_ok = |c: char| (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ';
    let plain = if !filename.is_empty() && filename.chars().all(plain_ok) {
        filename.to_string()
    } else {
        let ext = filename
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        format!("{fallback}{ext}")
    };
    let encoded = utf8_percent_encode(filename, ATTR_CHAR);
    format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}

/// Every byte but RFC 5987's attr-char (ALPHA / DIGIT / "!#$&+-.^_`|~") is encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_has_a_utf8_name_and_an_ascii_fallback() {
        assert_eq!(
            content_disposition("整改报告 v2.pdf", "attachment-7"),
            "attachment; filename=\"attachment-7.pdf\"; \
             filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A%20v2.pdf"
        );
        assert_eq!(
            content_disposition("report v2.pdf", "attachment-7"),
            "attachment; filename=\"report v2.pdf\"; filename*=UTF-8''report%20v2.pdf"
        );
        assert_eq!(
            content_disposition("a\"b.txt", "attachment-1"),
            "attachment; filename=\"attachment-1.txt\"; filename*=UTF-8''a%22b.txt"
        );
        assert_eq!(
            content_disposition("泉鲤政办〔2020〕48号.pdf", "notice"),
            "attachment; filename=\"notice.pdf\"; filename*=UTF-8''\
             %E6%B3%89%E9%B2%A4%E6%94%BF%E5%8A%9E%E3%80%942020%E3%80%9548%E5%8F%B7.pdf"
        );
    }
}
