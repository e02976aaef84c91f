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

/// What a column is called, for the fields an entry shows (`字段：旧值 → 新值`); a
/// column not listed keeps its name.
pub fn field_label(column: &str) -> &str {
    match column {
        "id" => "编号",
        "account" => "账户",
        "ack_due" => "签收期限",
        "acknowledged_at" => "签收时间",
        "acknowledged_by" => "签收人",
        "action" => "操作",
        "actor_id" => "操作人编号",
        "actor_role" => "操作人角色",
        "agency" => "发文机关代字",
        "alias" => "别名",
        "assigned_at" => "交办时间",
        "assigned_by" => "交办人",
        "attachment" => "附件",
        "attempts" => "尝试次数",
        "author_id" => "填写人",
        "automatic" => "自动",
        "body" => "正文",
        "body_json" => "正文",
        "cadence" => "周期",
        "channel" => "渠道",
        "checksum" => "校验和",
        "claimed_at" => "领取时间",
        "closed_at" => "关闭时间",
        "comment" => "意见",
        "content" => "内容",
        "content_json" => "任务内容",
        "content_text" => "任务内容",
        "content_type" => "文件类型",
        "cooperating_units_text" => "配合单位",
        "copy_to_json" => "抄送",
        "created_at" => "创建时间",
        "created_by" => "创建人",
        "data" => "文件内容",
        "date" => "日期",
        "deadline" => "完成时限",
        "description" => "说明",
        "disclosure" => "公开属性",
        "display_name" => "姓名",
        "doc_agency" => "文号机关代字",
        "doc_number" => "文号",
        "doc_number_original" => "文号原文",
        "doc_serial" => "文号序号",
        "doc_year" => "文号年份",
        "document_id" => "文件",
        "due" => "截止日期",
        "due_days" => "截止天数",
        "email" => "电子邮箱",
        "error" => "错误",
        "expires_at" => "到期时间",
        "extra_json" => "其他列",
        "failures" => "失败次数",
        "field" => "字段",
        "filename" => "文件名",
        "from_state" => "原状态",
        "imported_at" => "导入时间",
        "issued_at" => "印发时间",
        "issued_by" => "印发人",
        "issuer" => "发文机关",
        "kind" => "类型",
        "label" => "名称",
        "lapses" => "逾期次数",
        "last_error" => "最近错误",
        "last_seen_at" => "最近使用时间",
        "lead_days" => "提前天数",
        "lead_units_text" => "牵头单位",
        "leader" => "责任领导",
        "level" => "级别",
        "meeting" => "会议",
        "must_change_password" => "须修改密码",
        "name" => "名称",
        "next_attempt_at" => "下次尝试时间",
        "next_serial" => "下一序号",
        "notes" => "备注",
        "notes_json" => "备注",
        "number" => "序号",
        "office" => "督查机构",
        "on_date" => "日期",
        "opened_at" => "开启时间",
        "opened_by" => "开启人",
        "original_json" => "原文",
        "original_text" => "原文",
        "password_changed_at" => "密码修改时间",
        "password_hash" => "密码",
        "paused" => "暂停",
        "percent" => "完成进度",
        "period" => "期次",
        "position" => "顺序",
        "printed_by" => "印发机关",
        "printed_on" => "印发日期",
        "probable" => "疑似应为",
        "public_body_json" => "公开版正文",
        "read_at" => "阅读时间",
        "reason" => "原因",
        "recipients_json" => "主送机关",
        "recorded_at" => "记录时间",
        "references_json" => "引用文件",
        "relation" => "关系",
        "reminder_id" => "催办",
        "reminder_key" => "催办标识",
        "report_id" => "填报",
        "reports_round_id" => "通报所属轮次",
        "role" => "角色",
        "round_id" => "填报轮次",
        "round_label" => "轮次名称",
        "rules_json" => "规则",
        "schedule_id" => "填报计划",
        "scope" => "范围",
        "sent_at" => "发送时间",
        "set_by" => "设置人",
        "sha256" => "SHA-256",
        "signatory" => "署名",
        "signature_layout" => "落款样式",
        "size" => "大小",
        "source_id" => "任务来源",
        "source_name" => "来源文件",
        "start_date" => "开始日期",
        "state" => "状态",
        "status" => "状态",
        "step" => "步骤",
        "steps_json" => "步骤",
        "subject" => "标题",
        "submitted_at" => "提交时间",
        "success" => "成功",
        "table_title" => "附件表标题",
        "target_amount" => "目标值",
        "target_unit" => "计量单位",
        "task_id" => "任务",
        "task_number" => "任务序号",
        "tasks_json" => "任务",
        "tasks_version" => "任务版本计数",
        "text_json" => "落实情况",
        "text_plain" => "落实情况",
        "title" => "标题",
        "to_state" => "新状态",
        "totp_last_step" => "动态口令最近使用",
        "totp_secret" => "动态口令密钥",
        "unit_id" => "单位",
        "updated_at" => "更新时间",
        "updated_by" => "更新人",
        "uploaded_at" => "上传时间",
        "uploaded_by" => "上传人",
        "user_id" => "账户",
        "username" => "用户名",
        "version" => "版本",
        "window_start" => "计数起始时间",
        "within_rounds" => "轮次范围",
        "written" => "填写内容",
        "written_as" => "原写法",
        "year" => "年份",
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
    fn fields_are_named_in_chinese_and_unknown_ones_keep_their_name() {
        assert_eq!(field_label("lead_units_text"), "牵头单位");
        assert_eq!(field_label("password_hash"), "密码");
        assert_eq!(field_label("percent"), "完成进度");
        assert_eq!(field_label("a_column_added_later"), "a_column_added_later");
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
