//! The audit log's rules: how long entries are kept before the retention job may
//! remove them, and what each kind of entry and each table is called.

use chrono::{Duration, NaiveDate};

/// Entries are kept at least this many days (网络安全法 §21: 日志留存不少于六个月).
pub const RETENTION_DAYS: i64 = 180;

/// Why the retention job refuses a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error(
        "审计日志至少保留 {RETENTION_DAYS} 天：只能清理 {latest} 之前的记录（今天是 {today}），{before} 之前的记录尚未到期。请改用不晚于 {latest} 的日期"
    )]
    TooRecent {
        before: NaiveDate,
        today: NaiveDate,
        latest: NaiveDate,
    },
}

/// Whether entries dated before `before` may be removed on `today`: only if every one
/// of them is at least [`RETENTION_DAYS`] old.
pub fn check_prune(before: NaiveDate, today: NaiveDate) -> Result<(), RetentionError> {
    let latest = today - Duration::days(RETENTION_DAYS);
    if before > latest {
        return Err(RetentionError::TooRecent {
            before,
            today,
            latest,
        });
    }
    Ok(())
}

/// What an entry's action is called.
pub fn action_label(action: &str) -> &str {
    match action {
        "insert" => "新增",
        "update" => "修改",
        "delete" => "删除",
        "login" => "登录成功",
        "login_failed" => "登录失败",
        "logout" => "退出登录",
        "export" => "导出/下载",
        "backup" => "备份",
        "restore" => "恢复",
        "migrate_data" => "数据迁移",
        "bulk_round" | "bulk_rounds" => "批量生成填报轮次",
        "bulk_notices" => "批量生成通报",
        "prune" => "清理到期审计记录",
        "algorithm" => "更改审计哈希算法",
        other => other,
    }
}

/// What a table is called, for the entries about its rows.
pub fn table_label(table: &str) -> &str {
    match table {
        "units" => "单位",
        "unit_aliases" => "单位别名",
        "users" => "账户",
        "login_lockouts" => "登录锁定",
        "sources" => "任务来源",
        "documents" => "文件",
        "tasks" => "任务",
        "task_units" => "任务责任单位",
        "subitems" => "分项",
        "subitem_units" => "分项责任单位",
        "unit_flags" => "疑似笔误",
        "rounds" => "填报轮次",
        "progress_reports" => "通报中的落实情况",
        "reports" => "填报",
        "report_events" => "填报流转记录",
        "report_attachments" => "佐证材料",
        "assignments" => "交办",
        "task_states" => "任务办理状态",
        "task_events" => "任务流转记录",
        "status_overrides" => "审定",
        "task_plans" => "任务进度计划",
        "task_milestones" => "任务节点",
        "round_schedules" => "填报计划",
        "schedule_periods" => "填报计划期次",
        "notice_settings" => "通报设置",
        "round_notices" => "本轮通报",
        "warning_rules" => "预警规则",
        "reminders" => "催办",
        "reminder_deliveries" => "催办送达",
        "escalation_ladder" => "升级督办规则",
        "escalation_steps" => "升级督办记录",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_entries_older_than_the_retention_period_may_go() {
        let today = date("2026-12-04");
        assert!(check_prune(date("2026-06-07"), today).is_ok());
        assert!(check_prune(date("2025-01-01"), today).is_ok());
        let refused = check_prune(date("2026-06-08"), today).unwrap_err();
        assert!(refused.to_string().contains("2026-06-07"), "{refused}");
    }
}
