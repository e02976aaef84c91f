//! 预警 (红黄绿灯): every listed task's light by the office's rules, the list of tasks
//! by light, and the rule editor with its preview. The rules and the judgement are
//! `domain::warning`'s; the facts are the store's; the preview and the lights shown
//! after saving are one computation (`WarningRules::count` over `judge_task`).

mod api;
mod pages;
mod sheet;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use duban_domain::china_date;
use duban_domain::warning::{Condition, Light, Rule, WarningRules};
use duban_store::{DocumentId, TaskWarningFacts, User, WarningFacts};
use serde::Serialize;

use crate::AppState;
use crate::auth::{OFFICE, READERS, require};
use crate::error::AppError;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/warnings", get(pages::list))
        .route("/warnings.css", get(pages::stylesheet))
        .route(
            "/documents/{document}/tasks/{number}/sheet/{format}",
            get(sheet::download),
        )
        .route(
            "/settings/warnings",
            get(pages::settings).post(pages::settings_post),
        )
}

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/warnings", get(api::list))
        .route("/settings/warnings", get(api::rules).post(api::save))
        .route("/settings/warnings/preview", post(api::preview))
}

/// A light with how many tasks it colours.
#[derive(Debug, Clone, Serialize)]
pub struct LightCount {
    pub index: usize,
    pub name: String,
    pub colour: String,
    pub count: usize,
}

/// A sub-item's light.
#[derive(Debug, Clone, Serialize)]
pub struct SubItemLight {
    /// ①, ② …
    pub label: String,
    pub light: usize,
    pub light_name: String,
    pub reasons: Vec<String>,
}

/// One task's light and why.
#[derive(Debug, Clone, Serialize)]
pub struct TaskLight {
    pub document: DocumentId,
    pub doc_number: Option<String>,
    pub number: u32,
    pub content: String,
    pub lead_units: Vec<String>,
    pub light: usize,
    pub light_name: String,
    pub reasons: Vec<String>,
    pub subitems: Vec<SubItemLight>,
}

/// The lights of every open task on a day.
#[derive(Debug, Clone, Serialize)]
pub struct Warnings {
    pub today: NaiveDate,
    pub lights: Vec<LightCount>,
    /// 办结 tasks: no light.
    pub closed: usize,
    /// The light asked for, if any.
    pub shown: Option<String>,
    /// Every open task (or those of the light asked for), most severe first.
    pub tasks: Vec<TaskLight>,
}

/// Each light of `rules` with the number of `facts` it colours on `today`, and the
/// closed tasks' count.
fn counts(
    rules: &WarningRules,
    facts: &WarningFacts,
    today: NaiveDate,
) -> (Vec<LightCount>, usize) {
    let (counts, closed) = rules.count(facts.iter().map(|f| (&f.facts, &f.subitems[..])), today);
    let lights = rules
        .lights
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(index, (light, count))| LightCount {
            index,
            name: light.name.clone(),
            colour: light.colour.clone(),
            count,
        })
        .collect();
    (lights, closed)
}

fn task_light(rules: &WarningRules, f: &TaskWarningFacts, today: NaiveDate) -> Option<TaskLight> {
    let (j, parts) = rules.judge_task(&f.facts, &f.subitems, today)?;
    let subitems = parts
        .into_iter()
        .map(|(label, s)| SubItemLight {
            label: label.as_char().to_string(),
            light_name: rules.lights[s.light].name.clone(),
            light: s.light,
            reasons: s.reasons,
        })
        .collect();
    Some(TaskLight {
        document: f.task.document,
        doc_number: f.task.doc_number.clone(),
        number: f.task.number,
        content: f.task.content.clone(),
        lead_units: f.task.lead_units.clone(),
        light_name: rules.lights[j.light].name.clone(),
        light: j.light,
        reasons: j.reasons,
        subitems,
    })
}

/// Each task's light name by number, for `document`'s tasks, when the office prints
/// lights in its round notices (`WarningRules::in_notice`); empty otherwise.
pub(crate) async fn notice_lights(
    store: &duban_store::Store,
    document: DocumentId,
) -> Result<HashMap<u32, String>, AppError> {
    let rules = store.warning_rules().await?.rules;
    if !rules.in_notice {
        return Ok(HashMap::new());
    }
    let today = today();
    let facts = store.warning_facts(today, rules.lookback()).await?;
    Ok(facts
        .of_document(document)
        .iter()
        .filter_map(|f| {
            let (j, _) = rules.judge_task(&f.facts, &f.subitems, today)?;
            Some((f.task.number, rules.lights[j.light].name.clone()))
        })
        .collect())
}

/// Today in China, the day every light is judged on.
pub(crate) fn today() -> NaiveDate {
    china_date(Utc::now())
}

/// The lights of every open task, most severe first (`light`: only that light's).
pub async fn warnings(
    state: &AppState,
    user: &User,
    light: Option<&str>,
) -> Result<Warnings, AppError> {
    require(user, READERS)?;
    let today = today();
    let rules = state.store.warning_rules().await?.rules;
    let facts = state.store.warning_facts(today, rules.lookback()).await?;
    // A light by its name, or by its place (0 the mildest), as the page's links give it.
    let wanted = match light.map(str::trim).filter(|l| !l.is_empty()) {
        Some(name) => Some(
            rules
                .light_named(name)
                .or_else(|| {
                    name.parse::<usize>()
                        .ok()
                        .filter(|i| *i < rules.lights.len())
                })
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "没有名为“{name}”的预警灯：可选 {}",
                        rules
                            .lights
                            .iter()
                            .map(|l| l.name.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ))
                })?,
        ),
        None => None,
    };
    let (lights, closed) = counts(&rules, &facts, today);
    let mut tasks: Vec<TaskLight> = facts
        .iter()
        .filter_map(|f| task_light(&rules, f, today))
        .filter(|t| wanted.is_none_or(|w| t.light == w))
        .collect();
    // Most severe first; within a light, document and task order (stable sort).
    tasks.sort_by_key(|t| std::cmp::Reverse(t.light));
    Ok(Warnings {
        today,
        lights,
        closed,
        shown: wanted.map(|w| rules.lights[w].name.clone()),
        tasks,
    })
}

/// The rules in force, today, and the facts they judge (the store keeps the facts
/// while nothing changes): what every light shown is computed from.
pub(crate) struct Judged {
    pub rules: WarningRules,
    pub today: NaiveDate,
    pub facts: Arc<WarningFacts>,
}

pub(crate) async fn judged(state: &AppState) -> Result<Judged, AppError> {
    let today = today();
    let rules = state.store.warning_rules().await?.rules;
    let facts = state.store.warning_facts(today, rules.lookback()).await?;
    Ok(Judged {
        rules,
        today,
        facts,
    })
}

impl Judged {
    /// The facts of one task, if it is listed.
    pub fn facts_of(&self, document: DocumentId, number: u32) -> Option<&TaskWarningFacts> {
        self.facts.of_task(document, number)
    }

    /// The lights of `tasks` only (a page's rows; unlisted or closed tasks have none),
    /// by (document, number), for the task list and the task page, which authorise
    /// their own readers.
    pub fn lights_of(&self, tasks: &[(DocumentId, u32)]) -> HashMap<(DocumentId, u32), TaskLight> {
        let wanted: std::collections::HashSet<&(DocumentId, u32)> = tasks.iter().collect();
        self.facts
            .iter()
            .filter(|f| wanted.contains(&(f.task.document, f.task.number)))
            .filter_map(|f| task_light(&self.rules, f, self.today))
            .map(|t| ((t.document, t.number), t))
            .collect()
    }

    /// Open tasks per light, for the dashboard.
    pub fn counts(&self) -> Vec<LightCount> {
        counts(&self.rules, &self.facts, self.today).0
    }
}

/// What the editor shows: the rules in force, what each condition is, and (after
/// 预览) how many tasks each light would colour under the proposed rules beside today's.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub current: Vec<LightCount>,
    pub proposed: Vec<LightCount>,
    pub closed: usize,
}

/// How the proposed `rules` (checked) would colour today's tasks, beside the rules in force.
pub async fn preview(
    state: &AppState,
    user: &User,
    rules: WarningRules,
) -> Result<(WarningRules, Preview), AppError> {
    require(user, OFFICE)?;
    let rules = rules.checked()?;
    let today = today();
    let current = state.store.warning_rules().await?.rules;
    // Facts far enough back for both sets, so each is counted as it would colour.
    let lookback = rules.lookback().max(current.lookback());
    let facts = state.store.warning_facts(today, lookback).await?;
    let (current, _) = counts(&current, &facts, today);
    let (proposed, closed) = counts(&rules, &facts, today);
    Ok((
        rules,
        Preview {
            current,
            proposed,
            closed,
        },
    ))
}

/// Saves `rules` once checked, as the office's.
pub async fn save(
    state: &AppState,
    user: &User,
    rules: WarningRules,
) -> Result<WarningRules, AppError> {
    require(user, OFFICE)?;
    let rules = rules.checked()?;
    state
        .store
        .save_warning_rules(&rules, user.id, Utc::now())
        .await?;
    Ok(rules)
}

/// The rule set in force, for the editor and its JSON twin.
pub async fn rules(state: &AppState, user: &User) -> Result<WarningRules, AppError> {
    require(user, OFFICE)?;
    Ok(state.store.warning_rules().await?.rules)
}

/// The rule set a form sends: `light_name`/`light_colour` pairs in order, then
/// `rule_when`/`rule_n`/`rule_light` triples in order; rows left blank are dropped. A
/// row that cannot be read is kept as near to what was typed as it can be (a number
/// that is not one: the condition's usual number), with the first such error, so the
/// form can be shown again with what was typed.
pub(crate) fn rules_from_form(pairs: &[(String, String)]) -> (WarningRules, Option<AppError>) {
    let values = |key: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .collect()
    };
    let (names, colours) = (values("light_name"), values("light_colour"));
    let lights = names
        .iter()
        .zip(colours.iter().chain(std::iter::repeat(&"")))
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, colour)| Light {
            name: (*name).to_string(),
            colour: (*colour).to_string(),
        })
        .collect();
    let (whens, ns, targets) = (values("rule_when"), values("rule_n"), values("rule_light"));
    let mut rules = Vec::new();
    let mut error = None;
    for (i, when) in whens.iter().enumerate() {
        if when.is_empty() {
            continue;
        }
        let Some(kind) = Condition::KINDS.into_iter().find(|k| k.code() == *when) else {
            error.get_or_insert(AppError::from(
                duban_domain::warning::WarningRulesError::UnknownCondition((*when).to_string()),
            ));
            continue;
        };
        let n = match ns.get(i).copied().unwrap_or("") {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    error.get_or_insert(AppError::BadRequest(format!(
                        "第 {} 条规则的数字“{text}”不是正整数",
                        i + 1
                    )));
                    kind.number()
                }
            },
        };
        let condition = match Condition::from_code(when, n) {
            Ok(c) => c,
            Err(e) => {
                error.get_or_insert(e.into());
                kind
            }
        };
        rules.push(Rule {
            condition,
            light: targets.get(i).copied().unwrap_or("").to_string(),
        });
    }
    let in_notice = pairs.iter().any(|(k, v)| k == "in_notice" && v == "on");
    (
        WarningRules {
            lights,
            rules,
            in_notice,
        },
        error,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_domain::warning::{Judgement, TaskFacts};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn a_form_with_blank_rows_reads_as_the_rules_typed() {
        let form = pairs(&[
            ("light_name", "蓝色"),
            ("light_colour", "#1565c0"),
            ("light_name", "红色"),
            ("light_colour", "#c62828"),
            ("light_name", ""),
            ("light_colour", "#000000"),
            ("rule_when", "due_within"),
            ("rule_n", "3"),
            ("rule_light", "红色"),
            ("rule_when", ""),
            ("rule_n", ""),
            ("rule_light", ""),
        ]);
        let (rules, error) = rules_from_form(&form);
        assert!(error.is_none(), "{error:?}");
        let rules = rules.checked().expect("valid");
        assert_eq!(rules.lights.len(), 2);
        assert_eq!(
            rules.rules,
            vec![Rule {
                condition: Condition::DueWithin { days: 3 },
                light: "红色".into()
            }]
        );
    }

    #[test]
    fn a_number_that_is_not_one_names_its_rule() {
        let form = pairs(&[
            ("rule_when", "due_within"),
            ("rule_n", "三"),
            ("rule_light", "红灯"),
        ]);
        let (typed, error) = rules_from_form(&form);
        let err = error.expect("not a number");
        assert!(err.to_string().contains("第 1 条规则"), "{err}");
        // What was typed stays, with the usual number in place of the one not read.
        assert_eq!(typed.rules[0].condition, Condition::DueWithin { days: 7 });
    }

    #[test]
    fn a_judgement_names_its_light() {
        let rules = WarningRules::default();
        let j: Judgement = rules
            .judge(&TaskFacts::default(), today())
            .expect("open task");
        assert_eq!(rules.lights[j.light].name, "绿灯");
    }
}
