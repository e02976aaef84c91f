//! How the office issues its notices: 发文机关, who does the 督查, 署名, 主送, the
//! 公开属性 a notice starts with, and the 文号 series. Admins and supervisors set it.

use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, Utc};
use duban_domain::round_notice::{DocSeries, NoticeSettings};
use duban_domain::{Disclosure, SignatureLayout, limits};
use duban_store::NoticeSetup;
use minijinja::context;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, OFFICE, require};
use crate::error::{ApiError, AppError};
use crate::templates::{render, v};

/// The settings as a form or JSON sends them (text fields as typed).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct SettingsForm {
    pub issuer: String,
    pub office: String,
    #[serde(default)]
    pub signatory: Option<String>,
    /// 主送 one per line (a form) or a list (JSON).
    #[serde(default)]
    pub recipients: Option<String>,
    pub disclosure: Disclosure,
    /// 机关代字 of the 文号 (泉鲤政办).
    pub agency: String,
    pub year: i32,
    pub next_serial: u32,
    /// `sealed` (the default) or `unsealed`.
    #[serde(default)]
    pub signature_layout: SignatureLayout,
}

const SHORT: usize = 100;

fn short(field: &'static str, text: &str, required: bool) -> Result<String, AppError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(AppError::BadRequest(format!("请填写{field}")));
    }
    limits::TextLimit {
        field,
        max_chars: SHORT,
    }
    .check(text)?;
    Ok(text.to_string())
}

impl SettingsForm {
    /// The settings, checked: required fields, lengths, a 文号 prefix without brackets,
    /// a sensible year and serial.
    pub fn setup(&self) -> Result<NoticeSetup, AppError> {
        let agency = short("机关代字", &self.agency, true)?;
        if agency.contains(['〔', '〕', '[', ']', '(', ')', '（', '）', '号']) {
            return Err(AppError::BadRequest(format!(
                "机关代字“{agency}”只填文号年份括号前的部分，如“泉鲤政办”"
            )));
        }
        if !(2000..=2100).contains(&self.year) {
            return Err(AppError::BadRequest(format!(
                "年份 {} 不在 2000 至 2100 之间",
                self.year
            )));
        }
        if self.next_serial == 0 || self.next_serial > 100_000 {
            return Err(AppError::BadRequest(
                "下一个序号应为 1 至 100000 的整数".into(),
            ));
        }
        let recipients: Vec<String> = self
            .recipients
            .as_deref()
            .unwrap_or_default()
            .split(['\n', '，', ','])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| short("主送机关", r, false))
            .collect::<Result<_, _>>()?;
        Ok(NoticeSetup {
            settings: NoticeSettings {
                issuer: short("发文机关", &self.issuer, true)?,
                office: short("督查机构", &self.office, true)?,
                signatory: self
                    .signatory
                    .as_deref()
                    .map(|s| short("署名", s, false))
                    .transpose()?
                    .filter(|s| !s.is_empty()),
                recipients,
                disclosure: self.disclosure,
                signature_layout: self.signature_layout,
            },
            series: DocSeries {
                agency,
                year: self.year,
                next_serial: self.next_serial,
            },
        })
    }

    fn from_setup(setup: &NoticeSetup) -> Self {
        SettingsForm {
            issuer: setup.settings.issuer.clone(),
            office: setup.settings.office.clone(),
            signatory: setup.settings.signatory.clone(),
            recipients: Some(setup.settings.recipients.join("\n")),
            disclosure: setup.settings.disclosure,
            agency: setup.series.agency.clone(),
            year: setup.series.year,
            next_serial: setup.series.next_serial,
            signature_layout: setup.settings.signature_layout,
        }
    }
}

/// The office's settings, or a blank form for this year.
pub async fn notice_settings(
    state: &AppState,
    user: &duban_store::User,
) -> Result<SettingsForm, AppError> {
    require(user, OFFICE)?;
    Ok(match state.store.notice_setup().await? {
        Some(setup) => SettingsForm::from_setup(&setup),
        None => SettingsForm {
            issuer: String::new(),
            office: String::new(),
            signatory: None,
            recipients: None,
            disclosure: Disclosure::Active,
            agency: String::new(),
            year: Utc::now().year(),
            next_serial: 1,
            signature_layout: SignatureLayout::Sealed,
        },
    })
}

async fn save(
    state: &AppState,
    user: &duban_store::User,
    form: &SettingsForm,
) -> Result<(), AppError> {
    require(user, OFFICE)?;
    let setup = form.setup()?;
    Ok(state
        .store
        .set_notice_setup(&setup, user.id, Utc::now())
        .await?)
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Html<String>, AppError> {
    let form = notice_settings(&state, &user).await?;
    let saved = query.is_some_and(|q| q.contains("saved=1"));
    settings_page(&state, user, &form, None, saved)
}

fn settings_page(
    state: &AppState,
    user: duban_store::User,
    form: &SettingsForm,
    error: Option<String>,
    saved: bool,
) -> Result<Html<String>, AppError> {
    let disclosures: Vec<&str> = [
        Disclosure::Active,
        Disclosure::OnRequest,
        Disclosure::NotDisclosed,
    ]
    .iter()
    .map(|d| d.label())
    .collect();
    render(
        state,
        "notice_settings.html",
        context! {
            user => v(user), f => v(form), error => v(error), saved => saved,
            disclosures => v(disclosures),
            layouts => v([SignatureLayout::Sealed, SignatureLayout::Unsealed]
                .map(|l| (l.code(), l.label()))),
        },
    )
}

pub async fn page_save(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    match save(&state, &user, &form).await {
        Ok(()) => Ok(Redirect::to("/settings/notices?saved=1").into_response()),
        // What was typed stays in the form with the reason.
        Err(e @ (AppError::BadRequest(_) | AppError::TooLong(_))) => {
            let status = e.status();
            Ok((
                status,
                settings_page(&state, user, &form, Some(e.to_string()), false)?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn api_get(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<SettingsForm>, ApiError> {
    Ok(Json(notice_settings(&state, &user).await?))
}

pub async fn api_save(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Bytes,
) -> Result<Json<SettingsForm>, ApiError> {
    let form: SettingsForm = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("请求内容不是有效的通报设置 JSON：{e}")))?;
    save(&state, &user, &form).await?;
    Ok(Json(notice_settings(&state, &user).await?))
}
