//! Decomposition notices (任务分解) drafted from a source: what a task must have, what
//! a draft's header needs, what issuing (印发) checks, and which field to correct when
//! a rule is broken. Pure: the store records what these checks accept, the web layer
//! reads forms into these inputs.
//!
//! A drafted task is written out as an office writes a table row (①… in the content,
//! `第①项…牵头` in the unit cell) and assembled by `Notice::assemble`, exactly as an
//! import would be, so drafted and imported notices are one kind of thing.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::document::{Disclosure, Document, Notice};
use crate::limits;
use crate::plan::{PlanError, ProgressKind};
use crate::source::SourceError;
use crate::subitem::{SubItemLabel, has_subitem_marker, split_subitems};
use crate::task::Task;
use crate::unit::{UnitDirectory, check_unit_name};
use crate::{DocNumber, DocNumberError, RichText, TaskDraft};

/// Most tasks one decomposition notice may have.
pub const MAX_TASKS: usize = 500;
/// Most sub-items of one task (①…⑳).
pub const MAX_SUBITEMS: usize = SubItemLabel::MAX as usize;
/// Longest task content (and 备注).
pub const MAX_CONTENT_CHARS: usize = 2000;
/// Longest 责任领导, 完成时限, 发文机关, 署名.
pub const MAX_SHORT_CHARS: usize = 100;
/// Longest 公文标题.
pub const MAX_TITLE_CHARS: usize = 200;
/// 主送机关 of a new draft, for the office to edit.
pub const DEFAULT_RECIPIENTS: [&str; 3] = ["高新区管委会", "各街道办事处", "区直有关单位"];

/// Where a document stands as the office's own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Read from a file.
    Imported,
    /// A decomposition notice being drafted: its tasks change in the editor.
    Draft,
    /// 已印发: it has its 文号 and 成文日期; its tasks no longer change in the editor.
    Issued,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 3] = [
        DocumentStatus::Imported,
        DocumentStatus::Draft,
        DocumentStatus::Issued,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentStatus::Imported => "imported",
            DocumentStatus::Draft => "draft",
            DocumentStatus::Issued => "issued",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentStatus::Imported => "导入",
            DocumentStatus::Draft => "草稿",
            DocumentStatus::Issued => "已印发",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentStatus> {
        DocumentStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The header fields of a decomposition notice the office edits before issuing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFields {
    /// 发文机关.
    pub issuer: String,
    pub title: String,
    /// 主送机关.
    pub recipients: Vec<String>,
    /// 正文 paragraphs.
    pub body: Vec<String>,
    pub disclosure: Disclosure,
    /// The attachment's heading (附件说明 and the table's title); `None`: unchanged.
    pub attachment: Option<String>,
}

/// One sub-item ① … ⑳ as the editor sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubItemInput {
    pub content: String,
    /// Units leading this sub-item; empty: the task's lead units lead it.
    pub lead_units: Vec<String>,
}

/// A task as the decomposition editor sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskInput {
    /// 具体目标任务, the text before ① when there are sub-items.
    pub content: String,
    pub subitems: Vec<SubItemInput>,
    /// 牵头单位 in order, the main lead first; names or aliases from the directory.
    pub lead_units: Vec<String>,
    pub cooperating_units: Vec<String>,
    /// 责任领导.
    pub leader: Option<String>,
    /// 完成时限 as the office writes it (`2020年12月底前`).
    pub deadline: Option<String>,
    pub notes: Option<String>,
    pub plan: Option<ProgressKind>,
}

/// What issuing (印发) needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInput {
    /// 发文字号, e.g. `泉鲤政办〔2020〕44号`.
    pub doc_number: String,
    /// 成文日期.
    pub date: NaiveDate,
    /// 署名; the 发文机关 when `None`.
    pub signatory: Option<String>,
}

/// Why a source or decomposition input breaks a rule. [`DecompositionError::field`]
/// names the form field to correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecompositionError {
    #[error("{0}")]
    Source(#[from] SourceError),
    #[error("{}{error}", task_prefix(*.task))]
    Plan { task: Option<u32>, error: PlanError },
    /// A field that breaks a rule; the message says which and how to correct it.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(
        "{}单位“{name}”不在单位名录中{}",
        unit_field_label(field),
        suggestion.as_ref().map_or_else(
            || "：请从名录中选择单位，名录中没有的单位须先随通报导入".to_string(),
            |s| format!("，是否应为“{s}”？"),
        )
    )]
    UnknownUnit {
        field: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    #[error("第 {index} 项任务：{error}")]
    InBatch {
        index: usize,
        error: Box<DecompositionError>,
    },
    #[error("{0}")]
    DocNumber(DocNumberError),
}

fn task_prefix(task: Option<u32>) -> String {
    task.map(|t| format!("第 {t} 项任务：")).unwrap_or_default()
}

fn unit_field_label(field: &str) -> &'static str {
    match field {
        "lead_units" => "牵头单位中的",
        "cooperating_units" => "配合单位中的",
        "subitems" => "分项牵头单位中的",
        _ => "",
    }
}

impl DecompositionError {
    /// A field that breaks a rule, with what to do about it.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> DecompositionError {
        DecompositionError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The form field to correct: `title`, `lead_units`, `doc_number`, `target` …
    pub fn field(&self) -> &'static str {
        match self {
            DecompositionError::Source(e) => e.field(),
            DecompositionError::Plan { error, .. } => error.field(),
            DecompositionError::Invalid { field, .. }
            | DecompositionError::UnknownUnit { field, .. } => field,
            DecompositionError::InBatch { error, .. } => error.field(),
            DecompositionError::DocNumber(_) => "doc_number",
        }
    }
}

use DecompositionError as E;

/// `Some(trimmed)` unless blank; longer than `max` characters is an error on `field`.
pub fn optional_text(
    field: &'static str,
    label: &str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, DecompositionError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(E::invalid(field, format!("{label}过长（最多 {max} 字）")));
    }
    Ok(Some(text.to_string()))
}

/// The items trimmed, blanks and repeats dropped, in their order.
pub fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}

/// A draft's header as it is stored: every field checked and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFields {
    pub issuer: String,
    pub title: String,
    pub recipients: Vec<String>,
    pub body: Vec<String>,
    pub disclosure: Disclosure,
    pub attachment: Option<String>,
}

impl DraftFields {
    /// A draft keeps its 发文机关, title and 主送机关 filled in at every save.
    pub fn check(&self) -> Result<CheckedFields, DecompositionError> {
        let issuer = optional_text("issuer", "发文机关", Some(&self.issuer), MAX_SHORT_CHARS)?
            .ok_or_else(|| {
                E::invalid("issuer", "请填写发文机关，如“泉州市鲤城区人民政府办公室”")
            })?;
        let title = optional_text("title", "标题", Some(&self.title), MAX_TITLE_CHARS)?
            .ok_or_else(|| {
                E::invalid(
                    "title",
                    "请填写公文标题，如“关于对……部署进行责任分解的通知”",
                )
            })?;
        let recipients = clean_list(&self.recipients);
        for recipient in &recipients {
            limits::RECIPIENT
                .check(recipient)
                .map_err(|e| E::invalid("recipients", e.to_string()))?;
        }
        if recipients.is_empty() {
            return Err(E::invalid(
                "recipients",
                "请填写主送机关，如“高新区管委会，各街道办事处，区直有关单位”",
            ));
        }
        let body = clean_list(&self.body);
        for paragraph in &body {
            limits::BODY_PARAGRAPH
                .check(paragraph)
                .map_err(|e| E::invalid("body", e.to_string()))?;
        }
        let attachment = match &self.attachment {
            None => None,
            Some(text) => Some(
                optional_text("attachment", "附件标题", Some(text), MAX_TITLE_CHARS)?.ok_or_else(
                    || E::invalid("attachment", "请填写附件标题，如“……部署责任分解表”"),
                )?,
            ),
        };
        Ok(CheckedFields {
            issuer,
            title,
            recipients,
            body,
            disclosure: self.disclosure,
            attachment,
        })
    }
}

/// A task input checked against the rules and the unit directory, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTask {
    pub task: Task,
    pub plan: Option<ProgressKind>,
}

/// The canonical name of `written` in the directory, or why not.
fn resolve_unit(
    directory: &UnitDirectory,
    field: &'static str,
    written: &str,
) -> Result<String, DecompositionError> {
    match directory.resolve(written).index() {
        // A name stored before names were checked on every path may still break the
        // rule: refuse it here rather than store a task that reads back as other units.
        Some(i) => {
            let name = &directory.units[i].name;
            check_unit_name(name).map_err(|e| E::invalid(field, e.to_string()))?;
            Ok(name.clone())
        }
        None => Err(E::UnknownUnit {
            field,
            name: written.to_string(),
            suggestion: directory.probable_typo(written).map(|u| u.name.clone()),
        }),
    }
}

fn resolve_units(
    directory: &UnitDirectory,
    field: &'static str,
    written: &[String],
) -> Result<Vec<String>, DecompositionError> {
    let mut out: Vec<String> = Vec::new();
    for name in clean_list(written) {
        let canonical = resolve_unit(directory, field, &name)?;
        if !out.contains(&canonical) {
            out.push(canonical);
        }
    }
    Ok(out)
}

impl TaskInput {
    /// What a task must have: content or sub-items (without ①… typed in), at least one
    /// lead unit for the task or for every sub-item, units from the directory, no unit
    /// both leading and cooperating, fields within their lengths and a valid plan.
    /// Gives the task numbered `number` as an import of the same row would.
    pub fn check(
        &self,
        number: u32,
        directory: &UnitDirectory,
    ) -> Result<CheckedTask, DecompositionError> {
        let content = self.content.trim();
        if has_subitem_marker(content) {
            return Err(E::invalid(
                "content",
                "任务内容中不要写①②③等分项标号，请把各分项逐条填在“分项”中",
            ));
        }
        let subitems: Vec<&SubItemInput> = self
            .subitems
            .iter()
            .filter(|s| !s.content.trim().is_empty() || !clean_list(&s.lead_units).is_empty())
            .collect();
        if content.is_empty() && subitems.is_empty() {
            return Err(E::invalid("content", "请填写具体目标任务"));
        }
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Err(E::invalid(
                "content",
                format!("任务内容过长（最多 {MAX_CONTENT_CHARS} 字）"),
            ));
        }
        if subitems.len() > MAX_SUBITEMS {
            return Err(E::invalid(
                "subitems",
                format!(
                    "分项最多 {MAX_SUBITEMS} 个（①至⑳），现有 {} 个",
                    subitems.len()
                ),
            ));
        }
        let mut subitem_leads = Vec::with_capacity(subitems.len());
        for (i, item) in subitems.iter().enumerate() {
            let text = item.content.trim();
            if text.is_empty() {
                return Err(E::invalid(
                    "subitems",
                    format!("第 {} 个分项缺少内容", i + 1),
                ));
            }
            if has_subitem_marker(text) {
                return Err(E::invalid(
                    "subitems",
                    format!("第 {} 个分项的内容中不要再写分项标号", i + 1),
                ));
            }
            subitem_leads.push(resolve_units(directory, "subitems", &item.lead_units)?);
        }
        let leads = resolve_units(directory, "lead_units", &self.lead_units)?;
        if leads.is_empty() && (subitems.is_empty() || subitem_leads.iter().any(Vec::is_empty)) {
            return Err(E::invalid(
                "lead_units",
                "请至少选择一个牵头单位（或为每个分项分别选择牵头单位）",
            ));
        }
        let cooperating = resolve_units(directory, "cooperating_units", &self.cooperating_units)?;
        if let Some(both) = cooperating
            .iter()
            .find(|c| leads.contains(c) || subitem_leads.iter().any(|s| s.contains(c)))
        {
            return Err(E::invalid(
                "cooperating_units",
                format!("“{both}”已是牵头单位，不能同时作为配合单位"),
            ));
        }
        let leader = optional_text(
            "leader",
            "责任领导",
            self.leader.as_deref(),
            MAX_SHORT_CHARS,
        )?;
        let deadline = optional_text(
            "deadline",
            "完成时限",
            self.deadline.as_deref(),
            MAX_SHORT_CHARS,
        )?;
        let notes = optional_text("notes", "备注", self.notes.as_deref(), MAX_CONTENT_CHARS)?;
        if let Some(plan) = &self.plan {
            plan.validate().map_err(|error| E::Plan {
                task: Some(number),
                error,
            })?;
        }

        // The cells as an office writes them, then the same assembly an import does.
        let labels = SubItemLabel::all();
        let mut text = content.to_string();
        let mut clauses = Vec::new();
        if !leads.is_empty() {
            clauses.push(leads.join("、"));
        }
        for ((i, item), label) in subitems.iter().enumerate().zip(labels) {
            text.push(label.as_char());
            text.push_str(item.content.trim().trim_end_matches(['；', ';']));
            if i + 1 < subitems.len() {
                text.push('；');
            }
            if !subitem_leads[i].is_empty() {
                clauses.push(format!("第{label}项{}牵头", subitem_leads[i].join("、")));
            }
        }
        let draft = TaskDraft {
            number,
            content: RichText::plain(&text),
            lead_units: clauses.join("；"),
            cooperating_units: cooperating.join("、"),
            leader,
            deadline,
            notes: notes.as_deref().map(RichText::plain),
            ..TaskDraft::default()
        };
        let notice = Notice::assemble(Document::default(), vec![draft], directory);
        let task = notice
            .tasks
            .into_iter()
            .next()
            .ok_or_else(|| E::invalid("content", "任务内容无法生成任务，请检查填写的内容"))?;
        Ok(CheckedTask {
            task,
            plan: self.plan.clone(),
        })
    }
}

/// Tasks appended after `existing` ones: each checked, numbered on from `existing`.
/// One refused task refuses the batch; in a batch of several the error says which
/// (counting from 1).
pub fn check_new_tasks(
    existing: usize,
    tasks: &[TaskInput],
    directory: &UnitDirectory,
) -> Result<Vec<CheckedTask>, DecompositionError> {
    if tasks.is_empty() {
        return Err(E::invalid("tasks", "请至少填写一项任务"));
    }
    if existing + tasks.len() > MAX_TASKS {
        return Err(E::invalid(
            "tasks",
            format!("一份分解文件最多 {MAX_TASKS} 项任务"),
        ));
    }
    tasks
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let number = u32::try_from(existing + 1 + i).unwrap_or(u32::MAX);
            input.check(number, directory).map_err(|error| {
                if tasks.len() == 1 {
                    error
                } else {
                    E::InBatch {
                        index: i + 1,
                        error: Box::new(error),
                    }
                }
            })
        })
        .collect()
}

/// Where a task moved to number `to` goes among `tasks` tasks (an index from 0).
pub fn move_target(to: u32, tasks: usize) -> Result<usize, DecompositionError> {
    match usize::try_from(to) {
        Ok(to) if (1..=tasks).contains(&to) => Ok(to - 1),
        _ => Err(E::invalid("to", format!("新序号应在 1 至 {tasks} 之间"))),
    }
}

impl IssueInput {
    /// The 文号 to issue under: given, well-formed, and of the 成文日期's year.
    pub fn doc_number(&self) -> Result<DocNumber, DecompositionError> {
        let text = self.doc_number.trim();
        if text.is_empty() {
            return Err(E::invalid(
                "doc_number",
                "请填写发文字号，如“泉鲤政办〔2020〕44号”",
            ));
        }
        let number = DocNumber::parse(text).map_err(E::DocNumber)?;
        if i32::from(number.year) != self.date.year() {
            return Err(E::invalid(
                "doc_number",
                format!(
                    "文号“{text}”的年份与成文日期（{}）不一致，请核对",
                    self.date.format("%Y年%-m月%-d日")
                ),
            ));
        }
        Ok(number)
    }

    /// The 署名 of the draft `document` with `tasks` tasks, once it has what a notice
    /// must have to be issued: 发文机关, title, 主送机关 and at least one task.
    pub fn signatory(
        &self,
        document: &Document,
        tasks: usize,
    ) -> Result<Option<String>, DecompositionError> {
        let blank = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
        if blank(&document.issuer) {
            return Err(E::invalid("issuer", "印发前请填写发文机关"));
        }
        if blank(&document.title) {
            return Err(E::invalid("title", "印发前请填写公文标题"));
        }
        if document.recipients.is_empty() {
            return Err(E::invalid("recipients", "印发前请填写主送机关"));
        }
        if tasks == 0 {
            return Err(E::invalid(
                "tasks",
                "分解文件还没有任务，请先添加任务再印发",
            ));
        }
        Ok(optional_text(
            "signatory",
            "署名",
            self.signatory.as_deref(),
            MAX_SHORT_CHARS,
        )?
        .or_else(|| document.issuer.clone()))
    }
}

/// A task of a decomposition notice, as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedTask {
    pub number: u32,
    /// The text before ①.
    pub intro: String,
    /// Units leading the whole task (not only one sub-item).
    pub task_lead_units: Vec<String>,
    pub task: Task,
    pub plan: Option<ProgressKind>,
    /// One line describing the plan, for tables.
    pub plan_summary: Option<String>,
    /// The version the store last gave the task (every change to it, and a move that
    /// changed its number, gives it a newer one): the editor sends it back with a
    /// save, and a save from an older version is refused instead of overwriting.
    pub version: i64,
}

impl PlannedTask {
    pub fn new(task: Task, plan: Option<ProgressKind>) -> PlannedTask {
        let text = task.content.plain_text();
        let intro = match split_subitems(&text) {
            Some(split) => split.intro,
            None => text,
        };
        let per_item: Vec<&String> = task.subitems.iter().flat_map(|s| &s.lead_units).collect();
        let task_lead_units = task
            .lead_units
            .iter()
            .map(|a| a.unit.clone())
            .filter(|u| !per_item.contains(&u))
            .collect();
        PlannedTask {
            number: task.number.0,
            intro,
            task_lead_units,
            plan_summary: plan.as_ref().map(ProgressKind::summary),
            plan,
            task,
            version: 0,
        }
    }
}
