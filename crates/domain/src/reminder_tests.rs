use super::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn ack(unit: &str, task: u32, due: &str, done: bool) -> Owed {
    Owed {
        unit: unit.into(),
        document: 7,
        doc_number: Some("泉鲤政办〔2020〕48号".into()),
        doc_title: "关于重点工作落实情况的通报".into(),
        task,
        task_closed: false,
        clock: Clock::Acknowledge {
            due: date(due),
            done,
        },
    }
}

fn report(unit: &str, task: u32, due: Option<&str>, done: bool) -> Owed {
    Owed {
        clock: Clock::Report {
            round: 3,
            round_label: "1-11月".into(),
            due: due.map(date),
            round_closed: false,
            done,
        },
        ..ack(unit, task, "2024-11-01", false)
    }
}

fn kinds_on(policy: &ReminderPolicy, today: &str, items: &[Owed]) -> Vec<(ReminderKind, String)> {
    due_reminders(policy, date(today), items)
        .into_iter()
        .map(|r| (r.kind, r.key.expect("automatic reminders have keys")))
        .collect()
}

#[test]
fn report_reminders_fall_three_days_and_one_day_before_and_the_day_after() {
    let policy = ReminderPolicy::default();
    let items = [report("区发改局", 1, Some("2024-11-25"), false)];
    let on = |day: &str| kinds_on(&policy, day, &items);
    assert!(on("2024-11-21").is_empty(), "4 days before: nothing yet");
    let three = on("2024-11-22");
    assert_eq!(three.len(), 1);
    assert_eq!(three[0].0, ReminderKind::ReportDue);
    assert!(three[0].1.ends_with("|d-3"), "{}", three[0].1);
    // The day after: still the 3-day step (same key, so the store sends it once).
    assert_eq!(on("2024-11-23"), three);
    let one = on("2024-11-24");
    assert!(one[0].1.ends_with("|d-1"));
    assert_ne!(one, three);
    // The due date itself is within the 1-day step; the day after is not yet a lapse
    // (lapse_days_after = 1 means the first day after the deadline).
    assert_eq!(on("2024-11-25"), one);
    let lapse = on("2024-11-26");
    assert_eq!(lapse[0].0, ReminderKind::Lapse);
    assert!(lapse[0].1.ends_with("|lapse"));
    assert_eq!(on("2024-12-20"), lapse, "one lapse reminder per deadline");
}

#[test]
fn a_step_missed_while_no_server_ran_is_not_sent_late() {
    let policy = ReminderPolicy::default();
    let items = [report("区发改局", 1, Some("2024-11-25"), false)];
    // First tick on the day before: only the 1-day step, never the 3-day one.
    let keys = kinds_on(&policy, "2024-11-24", &items);
    assert_eq!(keys.len(), 1);
    assert!(keys[0].1.ends_with("|d-1"));
}

#[test]
fn acknowledgement_reminders_default_to_one_day_before() {
    let policy = ReminderPolicy::default();
    let items = [
        ack("区财政局", 2, "2024-11-20", false),
        ack("区财政局", 1, "2024-11-20", false),
    ];
    assert!(kinds_on(&policy, "2024-11-18", &items).is_empty());
    let due = due_reminders(&policy, date("2024-11-19"), &items);
    assert_eq!(due.len(), 1, "one reminder for the unit's assignments");
    assert_eq!(due[0].kind, ReminderKind::AckDue);
    assert_eq!(due[0].tasks, vec![1, 2]);
    assert_eq!(due[0].round, None);
    assert_eq!(
        due[0].message.subject,
        "【签收提醒】泉鲤政办〔2020〕48号 第1、2项请于2024年11月20日前签收"
    );
    assert!(
        due[0].message.body.starts_with("区财政局：\n"),
        "{}",
        due[0].message.body
    );
    assert!(due[0].message.body.contains("2024年11月20日（还有1天）"));
    assert!(
        due[0]
            .message
            .body
            .contains("《关于重点工作落实情况的通报》（泉鲤政办〔2020〕48号）")
    );
}

#[test]
fn what_is_done_closed_or_undated_gets_no_reminder() {
    let policy = ReminderPolicy::default();
    let today = "2024-11-24";
    // Already reported units get none.
    assert!(kinds_on(&policy, today, &[report("甲", 1, Some("2024-11-25"), true)]).is_empty());
    // Already acknowledged.
    assert!(kinds_on(&policy, today, &[ack("甲", 1, "2024-11-25", true)]).is_empty());
    // No due date: no automatic reminder, ever.
    assert!(kinds_on(&policy, today, &[report("甲", 1, None, false)]).is_empty());
    assert!(kinds_on(&policy, "2030-01-01", &[report("甲", 1, None, false)]).is_empty());
    // A closed round.
    let mut closed = report("甲", 1, Some("2024-11-25"), false);
    if let Clock::Report { round_closed, .. } = &mut closed.clock {
        *round_closed = true;
    }
    assert!(kinds_on(&policy, today, std::slice::from_ref(&closed)).is_empty());
    assert!(manual(&[closed], date(today), None).is_empty());
    // A closed task (办结).
    let mut done_task = ack("甲", 1, "2024-11-25", false);
    done_task.task_closed = true;
    assert!(kinds_on(&policy, today, &[done_task]).is_empty());
}

#[test]
fn a_unit_that_reported_some_tasks_is_reminded_of_the_rest_only() {
    let items = [
        report("区发改局", 1, Some("2024-11-25"), true),
        report("区发改局", 4, Some("2024-11-25"), false),
        report("区财政局", 4, Some("2024-11-25"), true),
    ];
    let due = due_reminders(&ReminderPolicy::default(), date("2024-11-22"), &items);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].unit, "区发改局");
    assert_eq!(due[0].tasks, vec![4]);
    assert_eq!(due[0].round, Some(3));
    assert_eq!(
        due[0].message.subject,
        "【报送提醒】泉鲤政办〔2020〕48号 第4项“1-11月”请于2024年11月25日前报送"
    );
}

#[test]
fn keys_differ_by_unit_deadline_and_step() {
    let policy = ReminderPolicy::default();
    let items = [
        report("甲", 1, Some("2024-11-25"), false),
        report("乙", 1, Some("2024-11-25"), false),
        ack("甲", 1, "2024-11-25", false),
    ];
    let mut keys: Vec<String> = kinds_on(&policy, "2024-11-24", &items)
        .into_iter()
        .map(|k| k.1)
        .collect();
    assert_eq!(keys.len(), 3);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3);
}

#[test]
fn lapses_wait_for_the_configured_days() {
    let policy = ReminderPolicy {
        lapse_days_after: 3,
        ..ReminderPolicy::default()
    };
    let items = [ack("甲", 1, "2024-11-20", false)];
    assert!(kinds_on(&policy, "2024-11-22", &items).is_empty());
    let due = due_reminders(&policy, date("2024-11-23"), &items);
    assert_eq!(due[0].kind, ReminderKind::Lapse);
    assert!(due[0].message.subject.starts_with("【逾期催办】"));
    assert!(
        due[0]
            .message
            .subject
            .contains("已超过签收期限（2024年11月20日）")
    );
    assert!(due[0].message.body.contains("已逾期3天"));
}

#[test]
fn no_steps_configured_means_no_advance_reminders() {
    let policy = ReminderPolicy {
        ack_days_before: vec![],
        report_days_before: vec![],
        lapse_days_after: 1,
    };
    let items = [report("甲", 1, Some("2024-11-25"), false)];
    assert!(kinds_on(&policy, "2024-11-25", &items).is_empty());
    assert_eq!(
        kinds_on(&policy, "2024-11-26", &items)[0].0,
        ReminderKind::Lapse
    );
}

#[test]
fn manual_reminders_carry_the_note_and_have_no_key() {
    let items = [
        report("甲", 2, None, false),
        report("乙", 2, Some("2024-11-25"), false),
    ];
    let sent = manual(&items, date("2024-11-26"), Some("  请于今日下班前报送  "));
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|r| r.key.is_none() && r.kind == ReminderKind::Manual)
    );
    // In unit order: 乙 (U+4E59) before 甲 (U+7532).
    let (yi, jia) = (&sent[0], &sent[1]);
    assert_eq!((yi.unit.as_str(), jia.unit.as_str()), ("乙", "甲"));
    assert_eq!(
        jia.message.subject,
        "【催办】泉鲤政办〔2020〕48号 第2项“1-11月”请尽快报送"
    );
    assert!(jia.message.body.contains("本轮未设报送期限"));
    assert!(jia.message.body.ends_with("督查室附言：请于今日下班前报送"));
    assert!(yi.message.body.contains("已逾期1天"));
    let plain = manual(&items, date("2024-11-26"), Some("   "));
    assert!(!plain[0].message.body.contains("附言"));
}

#[test]
fn a_document_without_a_number_is_named_by_its_title() {
    let mut item = ack("甲", 1, "2024-11-20", false);
    item.doc_number = None;
    let due = due_reminders(&ReminderPolicy::default(), date("2024-11-20"), &[item]);
    assert_eq!(
        due[0].message.subject,
        "【签收提醒】《关于重点工作落实情况的通报》 第1项请于2024年11月20日前签收"
    );
    assert!(due[0].message.body.contains("（今天截止）"));
}

#[test]
fn reporters_and_heads_of_the_unit_receive_its_reminders() {
    assert!(receives(Role::Reporter, Some("甲"), "甲"));
    assert!(receives(Role::UnitHead, Some("甲"), "甲"));
    assert!(!receives(Role::Reporter, Some("乙"), "甲"));
    assert!(!receives(Role::Supervisor, None, "甲"));
    assert!(!receives(Role::Leader, None, "甲"));
}

#[test]
fn retries_back_off_then_give_up() {
    assert_eq!(retry_after(0), None);
    assert_eq!(retry_after(1), Some(Duration::minutes(1)));
    assert_eq!(retry_after(2), Some(Duration::minutes(5)));
    assert_eq!(retry_after(3), Some(Duration::minutes(30)));
    assert_eq!(retry_after(4), Some(Duration::hours(2)));
    assert_eq!(retry_after(MAX_ATTEMPTS), None);
    assert_eq!(MAX_ATTEMPTS, 5);
}

#[test]
fn policies_are_checked() {
    assert_eq!(ReminderPolicy::default().check(), Ok(()));
    let far = ReminderPolicy {
        report_days_before: vec![3, 31],
        ..ReminderPolicy::default()
    };
    assert_eq!(far.check(), Err(ReminderError::DaysBefore(31)));
    let never = ReminderPolicy {
        lapse_days_after: 0,
        ..ReminderPolicy::default()
    };
    assert_eq!(never.check(), Err(ReminderError::DaysAfter(0)));
}

#[test]
fn email_addresses_are_checked() {
    assert_eq!(
        check_email(" Li.Ming@FGJ.Example.gov.cn "),
        Ok("Li.Ming@fgj.example.gov.cn".into())
    );
    for bad in [
        "", "a", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@b..cn", "a@.b.cn", "a@b.cn.", "<a@b.cn>",
    ] {
        assert!(check_email(bad).is_err(), "{bad}");
    }
}

#[test]
fn codes_round_trip() {
    for k in ReminderKind::ALL {
        assert_eq!(ReminderKind::from_code(k.code()), Some(k));
    }
    for c in Channel::ALL {
        assert_eq!(Channel::from_code(c.code()), Some(c));
    }
    for s in DeliveryState::ALL {
        assert_eq!(DeliveryState::from_code(s.code()), Some(s));
    }
    assert_eq!(Channel::from_code("sms"), None);
}
