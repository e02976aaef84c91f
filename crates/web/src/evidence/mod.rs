//! 佐证材料 over HTTP: upload (multipart), list, download and delete, as page forms
//! (`pages`) and as their API twins (`api`). Both get their data and authorisation from
//! the functions here, which follow the report's own: whoever may see the report
//! (`reports::report_detail`) may list and download its files, and another unit's file
//! is "not found"; only the unit's reporter adds or removes files, while the report is
//! editable (the store applies that rule in the transaction that writes).
//!
//! Which files are accepted is `duban_domain::evidence`: the kind comes from the
//! content's magic bytes; a DOCX, XLSX or OFD is confirmed here by opening the ZIP's
//! central directory (the domain does no IO). The request body of an upload is capped
//! at [`UPLOAD_BODY_LIMIT`], a little over the file limit, so the file limit's message
//! is the one users see for files up to that size.

mod api;
mod pages;

use std::io::Cursor;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Utc;
use duban_domain::{
    ACCEPTED_EXTENSIONS, EvidenceError, EvidenceKind, MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_REPORT, classify, confirm_zip_parts, megabytes, sanitize_filename,
};
use duban_store::{AttachmentId, AttachmentInfo, NewAttachment, ReportDetail, User};
use serde::Serialize;

use crate::AppState;
use crate::download::content_disposition;
use crate::error::AppError;
use crate::reports;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/reports/{id}/attachments",
            post(pages::upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/reports/{id}/attachments/{attachment}/delete",
            post(pages::remove),
        )
        .route("/attachments/{attachment}", get(pages::download))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/reports/{id}/attachments",
            get(api::list)
                .post(api::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/attachments/{attachment}",
            get(api::download).delete(api::remove),
        )
}

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
pub(super) async fn visible(
    state: &AppState,
    user: &User,
    id: i64,
) -> Result<AttachmentInfo, AppError> {
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
pub(super) async fn read_file(
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
pub(super) fn content_length(headers: &HeaderMap) -> Option<usize> {
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
pub(super) fn download(info: &AttachmentInfo, data: Vec<u8>) -> Response {
    let content_type = EvidenceKind::from_content_type(&info.content_type)
        .map_or("application/octet-stream", EvidenceKind::content_type);
    let disposition = content_disposition(&info.filename, &format!("attachment-{}", info.id));
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
