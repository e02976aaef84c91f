//! Escalation (督办升级) and the dashboard's rankings: where every unit stands on the
//! office's ladder and how it got there, the ladder itself, setting a step by hand and
//! applying the rule; the per-unit figures ranked within unit categories, the trend
//! across rounds and who has not reported in the open rounds, each as a table that
//! exports to XLSX. Leaders and the office read; only the office writes.

mod api;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::escalation::{Ladder, Rankings, rank};
use duban_domain::{UnitKind, china_date, limits};
use duban_render::table::{DataTable, TableCell};
use duban_store::{EscalationStep, UnitStanding, Unreported, User};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oversight", get(pages::oversight))
        .route("/oversight/steps", post(pages::set_step))
        .route("/oversight/ladder", post(pages::set_ladder))
        .route("/oversight/apply", post(pages::apply_rule))
        .route("/dashboard/tables/{file}", get(pages::table_file))
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/oversight", get(api::oversight))
        .route("/oversight/steps", post(api::set_step))
        .route("/oversight/ladder", post(api::set_ladder))
        .route("/oversight/apply", post(api::apply_rule))
        .route("/dashboard/rankings", get(api::rankings))
}

/// The ladder as the page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct LadderView {
    pub steps: Vec<String>,
    pub lapses: u32,
    pub within: u32,
    /// The rule in words.
    pub rule: String,
}

impl From<&Ladder> for LadderView {
    fn from(l: &Ladder) -> Self {
        LadderView {
            steps: l.steps().to_vec(),
            lapses: l.lapses(),
            within: l.within(),
            rule: l.rule_text(),
        }
    }
}

/// Every unit's step, the ladder and the history, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Oversight {
    pub ladder: LadderView,
    pub units: Vec<UnitStanding>,
    pub history: Vec<EscalationStep>,
    /// Whether the viewer may change steps and the ladder.
    pub can_edit: bool,
}

pub async fn oversight(state: &AppState, user: &User) -> Result<Oversight, AppError> {
    require(user, READERS)?;
    let (ladder, units) = state.store.escalation_standings().await?;
    let history = state.store.escalation_history(None).await?;
    Ok(Oversight {
        ladder: LadderView::from(&ladder),
        units,
        history,
        can_edit: OFFICE.contains(&user.role),
    })
}

/// The office puts a unit on a step (0: none) by hand.
#[derive(Debug, Clone, Deserialize)]
pub struct StepForm {
    pub unit: String,
    pub level: usize,
    pub reason: String,
}

pub async fn set_step(
    state: &AppState,
    user: &User,
    form: &StepForm,
) -> Result<EscalationStep, AppError> {
    require(user, OFFICE)?;
    limits::COMMENT.check(&form.reason)?;
    Ok(state
        .store
        .set_escalation_step(form.unit.trim(), form.level, &form.reason, user, Utc::now())
        .await?)
}

/// A new ladder: step names, lowest first, and the rule.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LadderForm {
    pub steps: Vec<String>,
    pub lapses: u32,
    pub within: u32,
}

pub async fn set_ladder(
    state: &AppState,
    user: &User,
    form: &LadderForm,
) -> Result<LadderView, AppError> {
    require(user, OFFICE)?;
    let ladder = Ladder::new(&form.steps, form.lapses, form.within)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .store
        .set_escalation_ladder(&ladder, user, Utc::now())
        .await?;
    Ok(LadderView::from(&ladder))
}

/// Applies the rule as of today; the steps it took.
pub async fn apply_rule(state: &AppState, user: &User) -> Result<Vec<EscalationStep>, AppError> {
    require(user, OFFICE)?;
    let now = Utc::now();
    Ok(state
        .store
        .apply_escalation_rule(china_date(now), now)
        .await?)
}

/// The dashboard's rankings, trend and open rounds' unreported units.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardRankings {
    pub as_of: NaiveDate,
    pub rankings: Rankings,
    pub unreported: Vec<Unreported>,
}

pub async fn rankings(state: &AppState, user: &User) -> Result<DashboardRankings, AppError> {
    require(user, READERS)?;
    let today = china_date(Utc::now());
    let source = state.store.ranking_source(today).await?;
    Ok(DashboardRankings {
        as_of: today,
        rankings: rank(source.units.clone()),
        unreported: source.unreported.clone(),
    })
}

/// The tables behind the dashboard's charts, each exportable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// One unit category's ranking.
    Ranking(UnitKind),
    Trend,
    Unreported,
}

impl TableKind {
    /// From an export's file name (`ranking.xlsx` with a category, `trend.xlsx`,
    /// `unreported.xlsx`).
    pub fn from_file(file: &str, category: Option<&str>) -> Result<TableKind, AppError> {
        match file {
            "ranking.xlsx" => {
                let label = category.unwrap_or_default();
                UnitKind::from_label(label)
                    .map(TableKind::Ranking)
                    .ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "未知的单位类别“{label}”：请从总览页的排名表导出"
                        ))
                    })
            }
            "trend.xlsx" => Ok(TableKind::Trend),
            "unreported.xlsx" => Ok(TableKind::Unreported),
            _ => Err(AppError::NotFound("该表格")),
        }
    }

    pub fn file_name(self, as_of: NaiveDate) -> String {
        match self {
            TableKind::Ranking(k) => format!("{}排名（截至{as_of}）.xlsx", k.label()),
            TableKind::Trend => format!("各轮填报趋势（截至{as_of}）.xlsx"),
            TableKind::Unreported => format!("未报送单位（截至{as_of}）.xlsx"),
        }
    }
}

fn pct(n: Option<f64>) -> TableCell {
    TableCell::from(n)
}

/// A table of the rankings, built once for the page and the export alike.
pub fn table(r: &DashboardRankings, kind: TableKind) -> Result<DataTable, AppError> {
    let as_of = r.as_of;
    match kind {
        TableKind::Ranking(k) => {
            let c = r
                .rankings
                .categories
                .iter()
                .find(|c| c.kind == k)
                .ok_or(AppError::NotFound("该类别的单位"))?;
            Ok(DataTable {
                sheet: format!("{}排名", c.label),
                title: format!("{}督办落实情况排名（截至{as_of}）", c.label),
                note: format!(
                    "{}。按时报送、逾期报送按报送时间（北京时间）与截止日期比较；未报送为截止日期已过仍未报送；\
                     序时达标率为已报送（未被退回）且填有完成进度的填报中，完成进度不低于截止日期序时进度的所占比例。",
                    r.rankings.rule
                ),
                header: [
                    "名次",
                    "单位",
                    "牵头任务",
                    "应报",
                    "按时报送",
                    "逾期报送",
                    "未报送",
                    "退回",
                    "平均迟报天数",
                    "按时报送率（%）",
                    "序时达标率（%）",
                ]
                .map(String::from)
                .to_vec(),
                rows: c
                    .units
                    .iter()
                    .map(|u| {
                        vec![
                            TableCell::from(u.rank_text.as_str()),
                            TableCell::from(u.unit.as_str()),
                            u.tasks_led.into(),
                            u.totals.expected.into(),
                            u.totals.on_time.into(),
                            u.totals.late.into(),
                            u.totals.missing.into(),
                            u.totals.returned.into(),
                            pct(u.average_delay),
                            pct(u.on_time_rate),
                            pct(u.on_pace_share),
                        ]
                    })
                    .collect(),
            })
        }
        TableKind::Trend => {
            let mut header: Vec<String> = [
                "轮次",
                "截止日期",
                "应报",
                "按时报送",
                "逾期报送",
                "未报送",
                "退回",
                "按时报送率（%）",
                "序时达标率（%）",
            ]
            .map(String::from)
            .to_vec();
            header.extend(
                r.rankings
                    .categories
                    .iter()
                    .map(|c| format!("{}按时报送率（%）", c.label)),
            );
            Ok(DataTable {
                sheet: "各轮趋势".into(),
                title: format!("各轮填报情况趋势（截至{as_of}）"),
                note: "同一期间（如“1-9月”）各文件的填报轮次合并统计；未到截止日期且未报送的不计入比率。"
                    .into(),
                header,
                rows: r
                    .rankings
                    .rounds
                    .iter()
                    .map(|t| {
                        let mut row = vec![
                            TableCell::from(t.totals.round.as_str()),
                            t.totals
                                .due
                                .map_or(TableCell::Empty, |d| TableCell::Text(d.to_string())),
                            t.totals.expected.into(),
                            t.totals.on_time.into(),
                            t.totals.late.into(),
                            t.totals.missing.into(),
                            t.totals.returned.into(),
                            pct(t.on_time_rate),
                            pct(t.on_pace_share),
                        ];
                        row.extend(t.by_category.iter().map(|c| pct(*c)));
                        row
                    })
                    .collect(),
            })
        }
        TableKind::Unreported => Ok(DataTable {
            sheet: "未报送单位".into(),
            title: format!("正在填报轮次未报送单位（截至{as_of}）"),
            note: "未报送含尚未填写、草稿未提交和被退回后尚未重新报送的填报。".into(),
            header: ["单位", "类别", "轮次", "截止日期", "未报送数", "状态"]
                .map(String::from)
                .to_vec(),
            rows: r
                .unreported
                .iter()
                .map(|u| {
                    vec![
                        TableCell::from(u.unit.as_str()),
                        TableCell::from(u.kind.label()),
                        TableCell::from(u.round.as_str()),
                        u.due
                            .map_or(TableCell::Empty, |d| TableCell::Text(d.to_string())),
                        u.reports.into(),
                        TableCell::from(if u.overdue {
                            "已逾期"
                        } else {
                            "未到截止日期"
                        }),
                    ]
                })
                .collect(),
        }),
    }
}

/// A table on the dashboard: the chart it stands behind (`chart-{id}`), where it
/// exports, and its rows.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    pub id: String,
    pub href: String,
    pub table: DataTable,
}

/// Every table of the dashboard: the categories' rankings, the trend, the unreported.
pub fn tables(r: &DashboardRankings) -> Result<Vec<TableView>, AppError> {
    let mut out = Vec::new();
    for (i, c) in r.rankings.categories.iter().enumerate() {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("category", c.label)
            .finish();
        out.push(TableView {
            id: format!("ranking-{i}"),
            href: format!("/dashboard/tables/ranking.xlsx?{query}"),
            table: table(r, TableKind::Ranking(c.kind))?,
        });
    }
    out.push(TableView {
        id: "trend".into(),
        href: "/dashboard/tables/trend.xlsx".into(),
        table: table(r, TableKind::Trend)?,
    });
    out.push(TableView {
        id: "unreported".into(),
        href: "/dashboard/tables/unreported.xlsx".into(),
        table: table(r, TableKind::Unreported)?,
    });
    Ok(out)
}

/// What the dashboard's ranking and trend charts draw, and no more: per category its
/// units' 按时报送率 with their rank, per round the rates.
pub fn chart_data(r: &DashboardRankings) -> serde_json::Value {
    let categories: Vec<serde_json::Value> = r
        .rankings
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            serde_json::json!({
                "id": format!("ranking-{i}"),
                "label": c.label,
                "units": c.units.iter().filter(|u| u.rank.is_some()).map(|u| serde_json::json!({
                    "unit": u.unit,
                    "rank": u.rank_text,
                    "on_time_rate": u.on_time_rate,
                    "on_pace_share": u.on_pace_share,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let rounds: Vec<serde_json::Value> = r
        .rankings
        .rounds
        .iter()
        .map(|t| {
            serde_json::json!({
                "round": t.totals.round,
                "on_time_rate": t.on_time_rate,
                "on_pace_share": t.on_pace_share,
                "by_category": t.by_category,
            })
        })
        .collect();
    serde_json::json!({ "categories": categories, "rounds": rounds })
}

/// A table as an XLSX download.
pub async fn table_xlsx(
    state: &AppState,
    user: &User,
    kind: TableKind,
) -> Result<(String, Vec<u8>), AppError> {
    let r = rankings(state, user).await?;
    let t = table(&r, kind)?;
    let bytes =
        duban_render::table::table_xlsx(&t).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok((kind.file_name(r.as_of), bytes))
}
