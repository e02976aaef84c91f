//! The audit log's pages and exports.

use axum::extract::{Path, Query as Params, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use duban_render::table::{DataTable, TableCell};
use duban_store::{DocumentId, UserId};
use minijinja::context;

use super::{EXPORT_HEADER, Query, export_entries, export_row, log_page};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::download::content_disposition;
use crate::error::AppError;
use crate::templates::{render, v};

/// What a page of the log is about, for its heading and links.
struct About {
    title: String,
    note: String,
    /// The page's own address, for its paging links.
    here: String,
}

async fn page(
    state: &AppState,
    user: duban_store::User,
    query: Query,
    task: Option<i64>,
    about: About,
) -> Result<Html<String>, AppError> {
    let page = log_page(state, &user, &query, task).await?;
    let paging = query.without_paging();
    let next = page.next.map(|before| {
        let sep = if paging.is_empty() { "" } else { "&" };
        format!("{}?{paging}{sep}before={before}", about.here)
    });
    let export = if task.is_some() {
        None
    } else {
        Some(paging.clone())
    };
    render(
        state,
        "audit.html",
        context! {
            user => v(user),
            title => about.title,
            note => about.note,
            here => about.here,
            entries => v(page.entries),
            next => next,
            users => v(page.users),
            q => v(query),
            export => export,
            tables => v(TABLES),
            actions => v(ACTIONS),
        },
    )
}

/// The filter's choice of tables and actions (code, label).
const TABLES: &[(&str, &str)] = &[
    ("reports", "填报"),
    ("report_events", "填报流转记录"),
    ("report_attachments", "佐证材料"),
    ("tasks", "任务"),
    ("task_events", "任务流转记录"),
    ("assignments", "交办"),
    ("rounds", "填报轮次"),
    ("documents", "文件"),
    ("sources", "任务来源"),
    ("users", "账户"),
    ("notice_settings", "通报设置"),
    ("warning_rules", "预警规则"),
    ("round_schedules", "填报计划"),
    ("escalation_ladder", "升级督办规则"),
    ("reminders", "催办"),
];

const ACTIONS: &[(&str, &str)] = &[
    ("insert", "新增"),
    ("update", "修改"),
    ("delete", "删除"),
    ("login", "登录成功"),
    ("login_failed", "登录失败"),
    ("logout", "退出登录"),
    ("export", "导出/下载"),
    ("backup", "备份"),
    ("restore", "恢复"),
    ("prune", "清理到期审计记录"),
];

pub async fn log(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Params(query): Params<Query>,
) -> Result<Html<String>, AppError> {
    let about = About {
        title: "审计日志".into(),
        note: "系统中的每一次数据变更、登录、退出和导出都记录在此，按时间倒序排列；\
               各条记录以哈希链相连，任何修改、删除或调换都可用 duban audit verify 查出。"
            .into(),
        here: "/audit".into(),
    };
    page(&state, user, query, None, about).await
}

pub async fn user_history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Params(mut query): Params<Query>,
) -> Result<Html<String>, AppError> {
    crate::auth::require(&user, super::AUDIT_READERS)?;
    let subject = state
        .store
        .user(UserId(id))
        .await?
        .ok_or(AppError::NotFound("该账户"))?;
    query.user = Some(id);
    let about = About {
        title: format!(
            "账户操作记录：{}（{}）",
            subject.display_name, subject.username
        ),
        note: "该账户所做的全部操作，以及对该账户本身的变更（新建、改密码、改角色）。".into(),
        here: format!("/audit/users/{id}"),
    };
    page(&state, user, query, None, about).await
}

pub async fn task_history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((document, number)): Path<(i64, u32)>,
    Params(query): Params<Query>,
) -> Result<Html<String>, AppError> {
    crate::auth::require(&user, super::AUDIT_READERS)?;
    let task = state
        .store
        .task_key(DocumentId(document), number)
        .await?
        .ok_or(AppError::NotFound("该任务"))?;
    let about = About {
        title: format!("第 {number} 项任务的变更记录"),
        note: "任务本身、交办签收、办理状态、审定，以及各单位对该任务的填报、流转和佐证材料的每一次变更。"
            .into(),
        here: format!("/documents/{document}/tasks/{number}/history"),
    };
    page(&state, user, query, Some(task), about).await
}

fn file_name(ext: &str) -> String {
    let today = duban_domain::china_date(chrono::Utc::now());
    format!("审计日志（导出于{today}）.{ext}")
}

/// A cell safe to open in a spreadsheet: one starting like a formula is kept as text.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub async fn export_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Params(query): Params<Query>,
) -> Result<Response, AppError> {
    let entries = export_entries(&state, &user, &query).await?;
    // With a byte-order mark, so spreadsheet programs read it as UTF-8.
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out.push_str(&line(
        EXPORT_HEADER.iter().map(|h| (*h).to_string()).collect(),
    ));
    for e in &entries {
        out.push_str(&line(export_row(e)));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&file_name("csv"), "audit"),
            ),
        ],
        out,
    )
        .into_response())
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Params(query): Params<Query>,
) -> Result<Response, AppError> {
    let entries = export_entries(&state, &user, &query).await?;
    let table = DataTable {
        sheet: "审计日志".into(),
        title: "审计日志".into(),
        note: format!(
            "共 {} 条，按序号（记录先后）排列。每条的“本条哈希”由“前一条哈希”和本条各项内容按 {} 计算，可用 duban audit verify 核验。",
            entries.len(),
            "SHA-256 或 SM3"
        ),
        header: EXPORT_HEADER.iter().map(|h| (*h).to_string()).collect(),
        rows: entries
            .iter()
            .map(|e| export_row(e).into_iter().map(TableCell::Text).collect())
            .collect(),
    };
    let bytes = tokio::task::spawn_blocking(move || duban_render::table::table_xlsx(&table))
        .await
        .map_err(|e| AppError::BadRequest(format!("生成文件失败：{e}")))?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&file_name("xlsx"), "audit"),
            ),
        ],
        bytes,
    )
        .into_response())
}
