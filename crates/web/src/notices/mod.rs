//! The round's own 通报 (issue 10): built from the round's accepted reports, reworded
//! by the office, checked figure by figure against its table, issued with the next
//! 文号 of the office's series, and published when 主动公开. What the notice says is
//! `domain::round_notice`'s; this module reads the round, applies who may do what, and
//! hands the result to the pages, the API and the CLI.

mod api;
mod pages;
mod settings;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::round_notice::{
    BodyParagraph, FigureMismatch, RoundNotice, check_body, compose, with_body,
};
use duban_domain::{Disclosure, Notice, limits};
use duban_formats::interchange::{NoticeJson, RoundJson, round_notice_json};
use duban_render::OutputFormat;
use duban_store::{
    DocumentId, IssueRoundNotice, IssuedNotice, RoundId, RoundNoticeSource, Store, StoreError, User,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

pub use settings::{SettingsForm, notice_settings};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/rounds/{id}/notice",
            get(pages::notice).post(pages::save_wording),
        )
        .route("/rounds/{id}/notice/issue", post(pages::issue))
        .route("/rounds/{id}/notice/file/{format}", get(pages::file))
        .route(
            "/settings/notices",
            get(settings::page).post(settings::page_save),
        )
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/rounds/{id}/notice",
            get(api::notice).post(api::save_wording),
        )
        .route("/rounds/{id}/notice/issue", post(api::issue))
        .route("/rounds/{id}/notice/file/{format}", get(api::file))
        .route(
            "/settings/notices",
            get(settings::api_get).post(settings::api_save),
        )
}

/// The most paragraphs a notice's body may have.
pub const MAX_PARAGRAPHS: usize = 30;

/// A round's notice as it stands: composed from the round, with the office's wording
/// (or the default) and what in that wording disagrees with the table.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub source: RoundNoticeSource,
    pub composed: RoundNotice,
    /// The wording in force: the office's, else the default.
    pub body: Vec<BodyParagraph>,
    /// Whether `body` is the office's own wording.
    pub reworded: bool,
    pub disclosure: Disclosure,
    /// Figures the wording states differently from the table: issuing is refused
    /// while there are any.
    pub mismatches: Vec<FigureMismatch>,
    pub issued: Option<IssuedNotice>,
    /// Once issued, the notice as it was issued (the round may have moved on since).
    pub issued_notice: Option<Notice>,
}

/// What the page and the API show of a round's notice.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    /// The notice in the interchange format with the round's figures (the internal
    /// variant; as issued once issued).
    pub notice: NoticeJson,
    pub body: Vec<BodyParagraph>,
    pub reworded: bool,
    pub disclosure: Disclosure,
    pub mismatches: Vec<FigureMismatch>,
    pub issued: Option<IssuedNotice>,
    /// Whether the round is closed (a notice is usually issued after closing it).
    pub round_closed: bool,
}

impl Prepared {
    /// The notice as written out: the office's wording, the public variant or not;
    /// once issued, as issued.
    pub fn notice(&self, public: bool) -> Notice {
        match &self.issued_notice {
            Some(issued) => issued.clone(),
            None => with_body(self.composed.notice.clone(), &self.body, public),
        }
    }

    pub fn view(&self) -> NoticeView {
        let mut notice = self.json(false);
        if let Some(issued) = &self.issued_notice {
            let stored = duban_formats::interchange::to_json(issued);
            notice.document = stored.document;
            // The stored rows, with the statuses the notice counted when it was issued.
            notice.tasks = stored
                .tasks
                .into_iter()
                .map(|t| {
                    let counted = notice.tasks.iter().find(|c| c.number == t.number);
                    duban_formats::interchange::TaskJson {
                        status: counted.and_then(|c| c.status),
                        status_decided: counted.and_then(|c| c.status_decided),
                        ..t
                    }
                })
                .collect();
        }
        NoticeView {
            notice,
            body: self.body.clone(),
            reworded: self.reworded,
            disclosure: self.disclosure,
            mismatches: self.mismatches.clone(),
            issued: self.issued.clone(),
            round_closed: self.source.closed,
        }
    }

    pub fn json(&self, public: bool) -> NoticeJson {
        round_notice_json(&self.composed, &self.body, self.round_json(), public)
    }

    fn round_json(&self) -> RoundJson {
        RoundJson {
            id: self.source.round.0,
            document: self.source.document.0,
            label: self.source.facts.label.clone(),
            due: self.source.facts.due,
            imported: self.source.facts.imported,
            closed: self.source.closed,
        }
    }
}

/// Today in China, the default 成文日期.
fn today() -> NaiveDate {
    duban_domain::china_date(Utc::now())
}

/// A round's notice, composed from the store; `date` is the 成文日期 to show (today
/// when not given, or the issue date once issued). No authorisation: callers check.
pub async fn prepare(
    store: &Store,
    round: i64,
    date: Option<NaiveDate>,
) -> Result<Prepared, AppError> {
    let source = match store.round_notice_source(RoundId(round)).await {
        Ok(s) => s,
        Err(StoreError::RoundNotFound(_)) => return Err(AppError::NotFound("该填报轮次")),
        Err(e) => return Err(e.into()),
    };
    let mut settings = match &source.setup {
        Some(setup) => setup.settings.clone(),
        // Until the office sets its series, the source document's issuer stands in.
        None => duban_domain::round_notice::NoticeSettings {
            issuer: source
                .source
                .document
                .issuer
                .clone()
                .unwrap_or_else(|| "督查室".to_string()),
            office: "督查室".to_string(),
            signatory: None,
            recipients: Vec::new(),
            disclosure: Disclosure::Active,
            signature_layout: duban_domain::SignatureLayout::Sealed,
        },
    };
    if let Some(d) = source.disclosure {
        settings.disclosure = d;
    }
    let issued_notice = match &source.issued {
        Some(issued) => Some(store.load_notice(issued.document).await?),
        None => None,
    };
    let date = issued_notice
        .as_ref()
        .and_then(|n| n.document.date)
        .or(date)
        .unwrap_or_else(today);
    let mut composed = compose(
        &source.source,
        &source.facts,
        &source.reports,
        &source.decisions,
        &settings,
        date,
    );
    // The office's 预警 lights as a column of the table, if it prints them (an issued
    // notice keeps the column it was issued with).
    if issued_notice.is_none() {
        let lights = crate::warnings::notice_lights(store, source.document).await?;
        for task in &mut composed.notice.tasks {
            if let Some(name) = lights.get(&task.number.0) {
                task.extra.push(duban_domain::ExtraField {
                    column: duban_domain::warning::NOTICE_COLUMN.to_string(),
                    text: duban_domain::RichText::plain(name),
                });
            }
        }
    }
    let (body, reworded) = match &source.wording {
        Some(b) => (b.clone(), true),
        None => (composed.body.clone(), false),
    };
    let mismatches = check_body(&body, &composed);
    Ok(Prepared {
        disclosure: settings.disclosure,
        issued: source.issued.clone(),
        issued_notice,
        source,
        body,
        reworded,
        mismatches,
        composed,
    })
}

/// The notice of round `id` for the office and leaders; once issued, as issued.
pub async fn view(state: &AppState, user: &User, id: i64) -> Result<Prepared, AppError> {
    require(user, READERS)?;
    prepare(&state.store, id, None).await
}

/// The office's wording, as a form or JSON sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WordingForm {
    /// The paragraphs; `None`: back to the default wording.
    pub body: Option<Vec<BodyParagraph>>,
    pub disclosure: Option<Disclosure>,
}

/// Keeps the office's wording. Office only; refused once issued. Figures that
/// disagree with the table are allowed here (the office may be midway) and reported
/// with the notice; issuing refuses them.
pub async fn save_wording(
    state: &AppState,
    user: &User,
    id: i64,
    form: WordingForm,
) -> Result<Prepared, AppError> {
    require(user, OFFICE)?;
    let body: Option<Vec<BodyParagraph>> = form.body.map(|b| {
        b.into_iter()
            .map(|p| BodyParagraph {
                text: p.text.trim().to_string(),
                internal: p.internal,
            })
            .filter(|p| !p.text.is_empty())
            .collect()
    });
    if let Some(body) = &body {
        if body.is_empty() {
            return Err(AppError::BadRequest(
                "通报正文不能为空：请至少保留一段，或选择“恢复默认措辞”".into(),
            ));
        }
        if body.len() > MAX_PARAGRAPHS {
            return Err(AppError::BadRequest(format!(
                "通报正文最多 {MAX_PARAGRAPHS} 段，现有 {} 段",
                body.len()
            )));
        }
        for p in body {
            limits::BODY_PARAGRAPH.check(&p.text)?;
        }
    }
    state
        .store
        .save_round_notice_wording(
            RoundId(id),
            body.as_deref(),
            form.disclosure,
            user.id,
            Utc::now(),
        )
        .await
        .map_err(not_found_round)?;
    prepare(&state.store, id, None).await
}

fn not_found_round(e: StoreError) -> AppError {
    match e {
        StoreError::RoundNotFound(_) => AppError::NotFound("该填报轮次"),
        e => e.into(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct IssueForm {
    /// 成文日期 (`YYYY-MM-DD`); today when blank.
    #[serde(default)]
    pub date: Option<String>,
    /// The page's “确认印发” box (the API needs none: calling it is the decision).
    #[serde(default)]
    pub confirm: Option<String>,
}

impl IssueForm {
    fn date(&self) -> Result<NaiveDate, AppError> {
        match self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => Ok(today()),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                AppError::BadRequest(format!(
                    "成文日期“{text}”无法识别，请写成 2020-10-15 的形式"
                ))
            }),
        }
    }
}

/// What issuing gave: the document and its 文号.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub document: DocumentId,
    pub doc_number: String,
    /// Where the public reads it, when 主动公开.
    pub public_url: Option<String>,
}

/// Issues the round's notice: the wording must state every figure as the table has it
/// (else [`AppError::Figures`] naming each). Office only.
pub async fn issue(
    state: &AppState,
    user: &User,
    id: i64,
    form: IssueForm,
) -> Result<Issued, AppError> {
    require(user, OFFICE)?;
    let date = form.date()?;
    let prepared = prepare(&state.store, id, Some(date)).await?;
    if let Some(issued) = &prepared.issued {
        return Err(StoreError::NoticeIssued {
            round: RoundId(id),
            document: issued.document,
        }
        .into());
    }
    if !prepared.mismatches.is_empty() {
        return Err(AppError::Figures(prepared.mismatches));
    }
    let notice = prepared.notice(false);
    let public = prepared.notice(true);
    let public_body =
        (public.document.body != notice.document.body).then_some(public.document.body);
    let (document, number) = state
        .store
        .issue_round_notice(
            RoundId(id),
            IssueRoundNotice {
                notice,
                public_body,
                date,
            },
            user.id,
            Utc::now(),
        )
        .await
        .map_err(not_found_round)?;
    Ok(Issued {
        document,
        doc_number: number.to_string(),
        public_url: (prepared.disclosure == Disclosure::Active)
            .then(|| format!("/public/{document}")),
    })
}

/// The round's notice as a file (`docx`, `pdf`, `xlsx`, `html`, or `json`/`md`
/// through the CLI), the internal variant unless `public`.
pub async fn file(
    state: &AppState,
    user: &User,
    id: i64,
    format: &str,
    public: bool,
) -> Result<axum::response::Response, AppError> {
    let prepared = view(state, user, id).await?;
    let format = OutputFormat::from_name(format).ok_or(AppError::NotFound(
        "该文件格式（可用 docx、pdf、xlsx、html）",
    ))?;
    let layout = prepared
        .source
        .setup
        .as_ref()
        .map(|s| s.settings.signature_layout)
        .unwrap_or_default();
    crate::download::notice_file_with(prepared.notice(public), format, layout).await
}
