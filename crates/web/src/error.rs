//! Every way a request can fail, as the user sees it: an HTML page in Chinese, or JSON
//! `{"error": "…", "field": "…"}` for the API (`field` when a form field is to be
//! corrected), with the right status.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::instruction::InstructionError;
use duban_domain::{DecompositionError, EvidenceError, PercentError};
use duban_store::{DecomposeError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    /// `wanted`: the page asked for (path and query), to return to after logging in.
    NotSignedIn { api: bool, wanted: Option<String> },
    /// A wrong user name or password; the message says how many tries are left.
    #[error("{0}")]
    BadLogin(String),
    /// Refused by the login throttle; the message says which limit and until when.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The password must be changed before anything else (set by an administrator,
    /// or expired): pages go to the change-password page, the API answers 403.
    #[error("{reason}")]
    PasswordChangeRequired { api: bool, reason: &'static str },
    /// The password was right, the TOTP code is still to come: pages go to its page,
    /// the API answers 401.
    #[error("请输入动态口令（身份验证器中的 6 位数字）完成登录")]
    SecondFactorRequired { api: bool },
    /// A wrong, reused or malformed TOTP code.
    #[error("{0}")]
    BadSecondFactor(&'static str),
    /// A new password the policy refuses (says everything it misses).
    #[error(transparent)]
    Password(#[from] duban_domain::security::PasswordRejected),
    #[error("无权访问此页面")]
    Forbidden,
    #[error("找不到{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    BadRequest(String),
    /// A round's notice whose wording states figures the table does not have.
    #[error("{}", figures_message(.0))]
    Figures(Vec<duban_domain::round_notice::FigureMismatch>),
    /// A free-text field over its length limit.
    #[error(transparent)]
    TooLong(#[from] duban_domain::limits::TooLong),
    /// An uploaded file the office does not accept (kind, size).
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Percent(#[from] PercentError),
    /// A 预警 rule set the office cannot save (names the light or rule to fix).
    #[error(transparent)]
    Warning(#[from] duban_domain::warning::WarningRulesError),
    /// A source or decomposition input refused (names the field to correct), or a
    /// decomposition the store cannot change. Its store failures are `Store`.
    #[error(transparent)]
    Decompose(DecomposeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("页面生成失败：{0}")]
    Template(#[from] minijinja::Error),
    #[error("数据生成失败：{0}")]
    Json(#[from] serde_json::Error),
}

/// Every mismatching figure, one sentence each, and what to do.
fn figures_message(mismatches: &[duban_domain::round_notice::FigureMismatch]) -> String {
    let each: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    format!(
        "通报正文中的数字与附件表不一致，不能印发。{}。请按附件表更正正文，或先更正附件表所依据的审定状态。",
        each.join("；")
    )
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotSignedIn { .. }
            | AppError::BadLogin(_)
            | AppError::SecondFactorRequired { .. }
            | AppError::BadSecondFactor(_) => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PasswordChangeRequired { .. } => StatusCode::FORBIDDEN,
            AppError::Password(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_)
            | AppError::TooLong(_)
            | AppError::Figures(_)
            | AppError::Percent(_)
            | AppError::Warning(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Evidence(e) => evidence_status(e),
            AppError::Decompose(e) => decompose_status(e),
            AppError::Store(e) => store_status(e),
            AppError::Template(_) | AppError::Json(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A refused step or form, shown on the page again with the reason (and what was
    /// typed); any other error gets the error page.
    pub fn is_refusal(&self) -> bool {
        use duban_store::StoreError as E;
        matches!(
            self,
            AppError::BadRequest(_)
                | AppError::TooLong(_)
                | AppError::Password(_)
                | AppError::BadSecondFactor(_)
                | AppError::Percent(_)
                | AppError::Warning(_)
                | AppError::Evidence(_)
                | AppError::Decompose(_)
                | AppError::Store(
                    E::Workflow(_)
                        | E::Stale
                        | E::EditConflict { .. }
                        | E::TaskStale { .. }
                        | E::NotAssigned { .. }
                        | E::AlreadyAcknowledged { .. }
                        | E::Evidence(_)
                        | E::AttachmentsLocked { .. }
                        | E::Ladder(_)
                        | E::Instruction(_)
                        | E::Role(_)
                        | E::Account(_)
                        | E::UnitNotAllowed { .. }
                        | E::UsernameTaken(_)
                        | E::UnknownUnit(_)
                )
        )
    }

    /// The form field to correct, when the error names one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Decompose(e) => e.field(),
            _ => None,
        }
    }
}

impl From<DecomposeError> for AppError {
    fn from(e: DecomposeError) -> Self {
        match e {
            DecomposeError::Store(e) => AppError::Store(e),
            e => AppError::Decompose(e),
        }
    }
}

impl From<DecompositionError> for AppError {
    fn from(e: DecompositionError) -> Self {
        AppError::Decompose(DecomposeError::Rule(e))
    }
}

/// Exhaustive on purpose: a new decomposition error must be given its status here.
fn decompose_status(e: &DecomposeError) -> StatusCode {
    use DecomposeError as E;
    match e {
        E::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
        E::SourceNotFound(_) | E::DocumentNotFound(_) | E::TaskNotFound { .. } => {
            StatusCode::NOT_FOUND
        }
        E::NotADraft { .. }
        | E::DocNumberTaken { .. }
        | E::InUse { .. }
        | E::EditConflict { .. } => StatusCode::CONFLICT,
        E::Store(e) => store_status(e),
    }
}

/// Exhaustive on purpose: a new store error must be given its status here.
fn store_status(e: &StoreError) -> StatusCode {
    use StoreError as E;
    match e {
        E::NotFound(_)
        | E::ReportNotFound(_)
        | E::RoundNotFound(_)
        | E::UserNotFound(_)
        | E::TaskNotFound { .. }
        | E::AttachmentNotFound(_) => StatusCode::NOT_FOUND,
        E::Conflict { .. }
        | E::NotIssued(_)
        | E::ReportingStarted { .. }
        | E::UsernameTaken(_)
        | E::Stale
        | E::EditConflict { .. }
        | E::AlreadyAcknowledged { .. }
        | E::TaskStale { .. }
        | E::TasksAssigned { .. }
        | E::NoticeIssued { .. } => StatusCode::CONFLICT,
        E::Workflow(_)
        | E::UnknownUnit(_)
        | E::UnitName(_)
        | E::NoticeSetupMissing
        | E::Account(_)
        | E::UnitNotAllowed { .. }
        | E::UnknownTasks { .. }
        | E::NothingToReport(_)
        | E::RoundLabelRequired
        | E::NotAssigned { .. }
        | E::AttachmentsLocked { .. }
        | E::Role(_)
        | E::Ladder(_)
        | E::Retention(_) => StatusCode::UNPROCESSABLE_ENTITY,
        E::Instruction(e) => instruction_status(e),
        E::Evidence(e) => evidence_status(e),
        E::Unsupported { .. }
        | E::Open { .. }
        | E::Connect { .. }
        | E::TargetNotEmpty { .. }
        | E::CopyMismatch { .. }
        | E::NotABackup { .. }
        | E::Migrate(_)
        | E::Database(_)
        | E::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Exhaustive on purpose: who may not record a 批示 is refused (403), anything else
/// in it is for the writer to correct (422).
fn instruction_status(e: &InstructionError) -> StatusCode {
    use InstructionError as E;
    match e {
        E::RoleNotAllowed { .. } => StatusCode::FORBIDDEN,
        E::EmptyText
        | E::LeaderRequired
        | E::TooLong(_)
        | E::FutureDate { .. }
        | E::NotClosed { .. }
        | E::SuperviseClosed => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A file too large is 413; any other refused file 422.
fn evidence_status(e: &EvidenceError) -> StatusCode {
    match e {
        EvidenceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        EvidenceError::Empty(_)
        | EvidenceError::Unsupported { .. }
        | EvidenceError::LegacyOffice { .. }
        | EvidenceError::Mismatch { .. }
        | EvidenceError::NotUtf8Text { .. }
        | EvidenceError::TooMany => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Marks an error raised while serving the JSON API, so it is answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() {
            tracing::error!(error = %self.0, "API request failed");
        }
        let body = match (&self.0, self.0.field()) {
            // A refused save carries what is saved now, beside what the client sent.
            (
                AppError::Store(StoreError::EditConflict {
                    version,
                    saved_text,
                    saved_percent,
                    ..
                }),
                _,
            ) => serde_json::json!({
                "error": self.0.to_string(),
                "saved_version": version,
                "saved_text": crate::reports::editable_text(saved_text),
                "saved_percent": saved_percent,
            }),
            // A refused task save likewise carries the task as saved now.
            (
                AppError::Decompose(duban_store::DecomposeError::EditConflict {
                    version,
                    saved,
                    ..
                }),
                _,
            ) => serde_json::json!({
                "error": self.0.to_string(),
                "saved_version": version,
                "saved_task": saved,
            }),
            (_, Some(field)) => serde_json::json!({ "error": self.0.to_string(), "field": field }),
            (_, None) => serde_json::json!({ "error": self.0.to_string() }),
        };
        (status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::NotSignedIn { api: false, wanted } = &self {
            let to = match wanted {
                Some(page) => format!(
                    "/login?next={}",
                    form_urlencoded::byte_serialize(page.as_bytes()).collect::<String>()
                ),
                None => "/login".to_string(),
            };
            return Redirect::to(&to).into_response();
        }
        match &self {
            AppError::NotSignedIn { api: true, .. }
            | AppError::PasswordChangeRequired { api: true, .. }
            | AppError::SecondFactorRequired { api: true } => {
                return ApiError(self).into_response();
            }
            AppError::PasswordChangeRequired { api: false, .. } => {
                return Redirect::to("/password").into_response();
            }
            AppError::SecondFactorRequired { api: false } => {
                return Redirect::to("/login/totp").into_response();
            }
            _ => {}
        }
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        // Internal failures are logged in full; the user gets what they can act on.
        let message = if status.is_server_error() {
            "系统暂时无法完成此操作，请稍后重试；如仍不行，请联系系统管理员。".to_string()
        } else {
            self.to_string()
        };
        let title = match status {
            StatusCode::FORBIDDEN => "无权访问",
            StatusCode::NOT_FOUND => "页面不存在",
            s if s.is_server_error() => "系统错误",
            _ => "操作未完成",
        };
        let body = crate::html::error_page(title, &message);
        (status, Html(body)).into_response()
    }
}
