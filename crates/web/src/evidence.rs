//! 佐证材料 over HTTP: upload (multipart), list, download and delete, as page forms and
//! as their API twins. Both get their data and authorisation from the functions at the
//! top of this file, which follow the report's own: whoever may see the report
//! (`reports::report_detail`) may list and download its files, and another unit's file
//! is "not found"; only the unit's reporter adds or removes files, while the report is
//! editable (the store applies that rule in the transaction that writes).
//!
//! Which files are accepted is `duban_domain::evidence`: the kind comes from the
//! content's magic bytes; a DOCX, XLSX or OFD is confirmed here by opening the ZIP's
//! central directory (the domain does no IO). The request body of an upload is capped
//! at [`UPLOAD_BODY_LIMIT`], a little over the file limit, so the file limit's message
//! is the one users see for files up to that size.

use std::io::Cursor;

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use duban_domain::{
    ACCEPTED_EXTENSIONS, EvidenceError, EvidenceKind, MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_REPORT, classify, confirm_zip_parts, megabytes, sanitize_filename,
};
use duban_store::{AttachmentId, AttachmentInfo, NewAttachment, ReportDetail, User};
use serde::Serialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::reports;
use crate::reports::report_page;

/// Largest request body an upload may have: the file limit plus room for the multipart
/// framing (11 MiB).
pub const UPLOAD_BODY_LIMIT: usize = 11 * 1024 * 1024;

/// The multipart field that carries the file.
pub const FILE_FIELD: &str = "file";

/// The report page's 佐证材料 card.
#[derive(Debug, Clone, Serialize)]
pub struct ReportEvidence {
    /// In upload order.
    pub files: Vec<AttachmentInfo>,
    /// Whether this user may add and remove files now.
    pub can_change: bool,
    pub max_files: usize,
    /// The size limit as users read it (`10 MB`).
    pub max_size: String,
    /// For the file input's `accept`.
    pub accept: &'static str,
}

/// The files of a report the user has already been allowed to see.
pub async fn report_evidence(
    state: &AppState,
    user: &User,
    report: &ReportDetail,
) -> Result<ReportEvidence, AppError> {
    let withheld = reports::content_withheld(user, &report.summary.unit, report.summary.state);
    Ok(ReportEvidence {
        files: if withheld {
            Vec::new()
        } else {
            state.store.attachments(report.summary.id).await?
        },
        can_change: reports::can_edit(user, report),
        max_files: MAX_ATTACHMENTS_PER_REPORT,
        max_size: megabytes(MAX_ATTACHMENT_BYTES).replace(".0", ""),
        accept: ACCEPTED_EXTENSIONS,
    })
}

/// The files of report `id`, if the user may see the report.
pub async fn list(state: &AppState, user: &User, id: i64) -> Result<Vec<AttachmentInfo>, AppError> {
    let report = reports::report_detail(state, user, id).await?;
    if reports::content_withheld(user, &report.summary.unit, report.summary.state) {
        return Ok(Vec::new());
    }
    Ok(state.store.attachments(report.summary.id).await?)
}

/// A file's description, if the user may see its report; otherwise "not found", as
/// for a file that does not exist.
async fn visible(state: &AppState, user: &User, id: i64) -> Result<AttachmentInfo, AppError> {
    const NOT_FOUND: AppError = AppError::NotFound("该佐证材料");
    let info = state
        .store
        .attachment_info(AttachmentId(id))
        .await?
        .ok_or(NOT_FOUND)?;
    match reports::report_detail(state, user, info.report.0).await {
        Ok(report)
            if reports::content_withheld(user, &report.summary.unit, report.summary.state) =>
        {
            Err(NOT_FOUND)
        }
        Ok(_) => Ok(info),
        Err(AppError::NotFound(_)) => Err(NOT_FOUND),
        Err(e) => Err(e),
    }
}

/// A file with its bytes, if the user may see its report.
pub async fn fetch(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<(AttachmentInfo, Vec<u8>), AppError> {
    visible(state, user, id).await?;
    state
        .store
        .attachment(AttachmentId(id))
        .await?
        .ok_or(AppError::NotFound("该佐证材料"))
}

/// Reads the one file of an upload, checks it and attaches it to report `id`.
pub async fn upload(
    state: &AppState,
    user: &User,
    id: i64,
    content_length: Option<usize>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<AttachmentInfo, AppError> {
    // Seeing the report comes first: another unit's report stays "not found".
    let report = reports::report_detail(state, user, id).await?;
    let multipart = multipart.map_err(|_| {
        AppError::BadRequest(format!(
            "请以 multipart/form-data 格式上传文件，文件放在名为“{FILE_FIELD}”的字段中"
        ))
    })?;
    let (raw_name, data) = read_file(multipart, content_length).await?;
    let filename = sanitize_filename(&raw_name);
    let kind = classify(&filename, &data)?;
    if kind.is_zip() {
        let archive =
            zip::ZipArchive::new(Cursor::new(&data[..])).map_err(|_| EvidenceError::Mismatch {
                name: filename.clone(),
                expected: kind.label(),
            })?;
        confirm_zip_parts(kind, &filename, archive.file_names())?;
    }
    let new = NewAttachment {
        filename,
        content_type: kind.content_type().to_string(),
        data,
    };
    Ok(state
        .store
        .add_attachment(report.summary.id, user, new, Utc::now())
        .await?)
}

/// The file field's name and bytes. One file per request.
async fn read_file(
    mut multipart: Multipart,
    content_length: Option<usize>,
) -> Result<(String, Vec<u8>), AppError> {
    let failed = |e: MultipartError| -> AppError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            // The body passed the cap: the file is at least that large.
            EvidenceError::TooLarge {
                size: content_length.unwrap_or(UPLOAD_BODY_LIMIT + 1),
            }
            .into()
        } else {
            AppError::BadRequest(format!(
                "上传的内容不完整或格式有误（{}），请重新选择文件上传",
                e.body_text()
            ))
        }
    };
    let mut found: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        let is_file = field.name() == Some(FILE_FIELD);
        let name = field.file_name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(failed)?;
        if !is_file || (name.is_empty() && bytes.is_empty()) {
            // Other fields, and the empty part a form sends when no file was chosen.
            continue;
        }
        if found.is_some() {
            return Err(AppError::BadRequest(
                "每次只能上传一个文件，请逐个上传".into(),
            ));
        }
        found = Some((name, bytes.to_vec()));
    }
    found.ok_or_else(|| AppError::BadRequest("请先选择要上传的佐证材料文件".into()))
}

/// Removes a file, if the user may see its report and change its files. `report`, when
/// given (the page's URL names it), must be the file's report.
pub async fn remove(
    state: &AppState,
    user: &User,
    id: i64,
    report: Option<i64>,
) -> Result<AttachmentInfo, AppError> {
    let info = visible(state, user, id).await?;
    if report.is_some_and(|r| r != info.report.0) {
        return Err(AppError::NotFound("该佐证材料"));
    }
    state
        .store
        .remove_attachment(info.id, user, Utc::now())
        .await?;
    Ok(info)
}

/// `Content-Length` of the request, if it said.
fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The file as a download: its media type, `attachment` with the name in UTF-8
/// (RFC 6266 / RFC 5987) and an ASCII fallback, never sniffed, never cached, and
/// sandboxed should a browser show it anyway.
fn download(info: &AttachmentInfo, data: Vec<u8>) -> Response {
    let content_type = EvidenceKind::from_content_type(&info.content_type)
        .map_or("application/octet-stream", EvidenceKind::content_type);
    let disposition = content_disposition(&info.filename, info.id);
    let mut response = Response::new(Body::from(data));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    response
}

/// `attachment; filename="…"; filename*=UTF-8''…`. The plain `filename` is the name
/// itself when it is printable ASCII without quotes or backslashes, else
/// `attachment-ID.EXT`.
pub fn content_disposition(filename: &str, id: AttachmentId) -> String {
    let plain_ok = |c: char| (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ';
    let fallback = if !filename.is_empty() && filename.chars().all(plain_ok) {
        filename.to_string()
    } else {
        let ext = filename
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        format!("attachment-{id}{ext}")
    };
    let encoded: String = filename
        .bytes()
        .map(|b| {
            // RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

// ---- Pages ----------------------------------------------------------------------

/// A refused upload or removal shows the report page again with the reason.
async fn back_to_report(
    state: &AppState,
    user: User,
    report: i64,
    result: Result<AttachmentInfo, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{report}#attachments")).into_response()),
        Err(e) if e.is_refusal() => {
            let status = e.status();
            let page = report_page(state, user, report, Some(e.to_string())).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn upload_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let result = upload(&state, &user, id, content_length(&headers), multipart).await;
    back_to_report(&state, user, id, result).await
}

pub async fn remove_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((report, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let result = remove(&state, &user, id, Some(report)).await;
    back_to_report(&state, user, report, result).await
}

pub async fn download_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (info, data) = fetch(&state, &user, id).await?;
    Ok(download(&info, data))
}

// ---- API ------------------------------------------------------------------------

pub async fn api_upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentInfo>), ApiError> {
    let info = upload(&state, &user, id, content_length(&headers), multipart).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

pub async fn api_list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AttachmentInfo>>, ApiError> {
    Ok(Json(list(&state, &user, id).await?))
}

pub async fn api_download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (info, data) = fetch(&state, &user, id).await?;
    Ok(download(&info, data))
}

pub async fn api_remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    remove(&state, &user, id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_has_a_utf8_name_and_an_ascii_fallback() {
        assert_eq!(
            content_disposition("整改报告 v2.pdf", AttachmentId(7)),
            "attachment; filename=\"attachment-7.pdf\"; \
             filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A%20v2.pdf"
        );
        assert_eq!(
            content_disposition("report v2.pdf", AttachmentId(7)),
            "attachment; filename=\"report v2.pdf\"; filename*=UTF-8''report%20v2.pdf"
        );
        assert_eq!(
            content_disposition("a\"b.txt", AttachmentId(1)),
            "attachment; filename=\"attachment-1.txt\"; filename*=UTF-8''a%22b.txt"
        );
    }
}
