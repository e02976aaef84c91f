//! Page templates (minijinja, embedded in the binary) and the filters they use.

use duban_domain::{ReportAction, ReportState, RichText, Role, TaskAction, TaskState};
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "login.html",
    "tasks.html",
    "task.html",
    "rounds.html",
    "round.html",
    "reports.html",
    "report.html",
    "public_list.html",
    "public_notice.html",
    "round_notice.html",
    "notice_settings.html",
    "my.html",
    "lapses.html",
    "warnings.html",
    "warning_settings.html",
    "dashboard.html",
    "analysis.html",
    "sources.html",
    "source.html",
    "decompose.html",
    "notifications.html",
    "reminders.html",
    "oversight.html",
    "password.html",
    "account.html",
    "totp_verify.html",
    "totp_enrol.html",
    "admin_accounts.html",
    "admin_security.html",
    "audit.html",
);

pub fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_filter("rich", |rich: Serde<RichText>| {
        Value::from_safe_string(crate::html::rich_html(&rich))
    });
    env.add_filter("truncate_text", |text: String, max: usize| {
        let mut out: String = text.chars().take(max).collect();
        if text.chars().count() > max {
            out.push('…');
        }
        out
    });
    env.add_filter("filesize", |bytes: u64| {
        duban_domain::megabytes(usize::try_from(bytes).unwrap_or(usize::MAX))
    });
    env.add_filter("when", |at: Option<String>| match at {
        Some(at) => chrono::DateTime::parse_from_rfc3339(&at)
            .map(|t| {
                t.with_timezone(&chrono_tz_china())
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or(at),
        None => "—".to_string(),
    });
    env.add_function("state_label", |code: String| {
        ReportState::from_code(&code).map_or(code.clone(), |s| s.label().to_string())
    });
    env.add_function("may_read_audit", |code: String| {
        Role::from_code(&code).is_some_and(crate::audit::may_read)
    });
    env.add_function("role_label", |code: String| {
        Role::from_code(&code).map_or(code.clone(), |r| r.label().to_string())
    });
    env.add_function("action_label", |code: String| {
        ReportAction::from_code(&code).map_or(code.clone(), |a| a.label().to_string())
    });
    env.add_function("status_label", |code: String| {
        duban_domain::analysis::Status::from_code(&code)
            .map_or(code.clone(), |s| s.label().to_string())
    });
    env.add_function("task_state_label", |code: String| {
        TaskState::from_code(&code).map_or(code.clone(), |s| s.label().to_string())
    });
    env.add_function("task_action_label", |code: String| {
        TaskAction::from_code(&code).map_or(code.clone(), |a| a.label().to_string())
    });
    env.add_function("lapse_label", |code: String| {
        duban_domain::LapseKind::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .map_or(code.clone(), |k| k.label().to_string())
    });
    Ok(env)
}

/// China Standard Time: every office using duban is in UTC+8, and has no DST.
fn chrono_tz_china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Any serialisable value, for a template context.
pub(crate) fn v<T: serde::Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// A (code, label) pair, for a template's options and buttons.
pub(crate) fn choice(code: &str, label: &str) -> minijinja::Value {
    minijinja::context! { code => code, label => label }
}

/// A page from its template.
pub(crate) fn render(
    state: &crate::AppState,
    name: &str,
    ctx: minijinja::Value,
) -> Result<axum::response::Html<String>, crate::error::AppError> {
    Ok(axum::response::Html(
        state.templates.get_template(name)?.render(ctx)?,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_loads() {
        let env = super::environment();
        assert!(env.is_ok(), "{:?}", env.err());
    }
}
