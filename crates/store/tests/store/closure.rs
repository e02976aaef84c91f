//! A task's closure in the store (申请办结, 办结销号, 退回, 重新开启): the loop recorded,
//! refused steps writing nothing, and the state every task starts in.

use duban_domain::{Role, TaskAction, TaskState, WorkflowError};
use duban_store::{DocumentId, StoreError, User, UserId};

use crate::common::workflow_error;
use crate::tasks::*;

#[tokio::test]
async fn the_closure_loop_is_recorded() {
    use TaskAction as T;
    use TaskState as S;
    let f = fixture().await;
    f.assign(date(10), utc(1, 9, 0)).await;
    // An open round on the task does not keep it from being closed.
    let round = f.open_round("1-9月", date(30), utc(1, 9, 0)).await;

    assert_eq!(
        f.step(1, &f.cgj, T::ClaimDone, Some(" 已完成整治 "), utc(2, 0, 0))
            .await
            .unwrap(),
        S::ClaimedDone
    );
    assert_eq!(
        f.step(1, &f.office, T::RejectClaim, Some("尚未验收"), utc(3, 0, 0))
            .await
            .unwrap(),
        S::Open
    );
    // A unit that leads only a sub-item leads the task too.
    assert_eq!(
        f.step(1, &f.fgj, T::ClaimDone, Some("已验收"), utc(4, 0, 0))
            .await
            .unwrap(),
        S::ClaimedDone
    );
    assert_eq!(
        f.step(1, &f.office, T::Close, Some("经核实已完成"), utc(5, 0, 0))
            .await
            .unwrap(),
        S::Closed
    );
    assert!(!f.store.round(round).await.unwrap().unwrap().closed);
    assert_eq!(
        f.step(1, &f.admin, T::Reopen, Some(" 区长再批示 "), utc(6, 0, 0))
            .await
            .unwrap(),
        S::Open
    );

    let status = f.store.task_status(f.doc, 1).await.unwrap();
    assert_eq!(status.state, S::Open);
    let steps: Vec<_> = status
        .events
        .iter()
        .map(|e| {
            (
                e.at,
                e.actor.as_str(),
                e.actor_role,
                e.action,
                e.from,
                e.to,
                e.comment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                utc(2, 0, 0),
                "cgj.lly 姓名",
                Role::Reporter,
                T::ClaimDone,
                S::Open,
                S::ClaimedDone,
                Some("已完成整治")
            ),
            (
                utc(3, 0, 0),
                "duchashi 姓名",
                Role::Supervisor,
                T::RejectClaim,
                S::ClaimedDone,
                S::Open,
                Some("尚未验收")
            ),
            (
                utc(4, 0, 0),
                "fgj.lly 姓名",
                Role::Reporter,
                T::ClaimDone,
                S::Open,
                S::ClaimedDone,
                Some("已验收")
            ),
            (
                utc(5, 0, 0),
                "duchashi 姓名",
                Role::Supervisor,
                T::Close,
                S::ClaimedDone,
                S::Closed,
                Some("经核实已完成")
            ),
            (
                utc(6, 0, 0),
                "admin 姓名",
                Role::Admin,
                T::Reopen,
                S::Closed,
                S::Open,
                Some("区长再批示")
            ),
        ]
    );

    // The office closes directly, too; a unit head claims.
    assert_eq!(
        f.step(2, &f.wjj_head, T::ClaimDone, Some("已完成"), utc(7, 0, 0))
            .await
            .unwrap(),
        S::ClaimedDone
    );
    assert_eq!(
        f.step(
            3,
            &f.office,
            T::Close,
            Some(" 经实地核查，已完成 "),
            utc(7, 0, 0)
        )
        .await
        .unwrap(),
        S::Closed
    );
    let status = f.store.task_status(f.doc, 3).await.unwrap();
    assert_eq!(status.events.len(), 1);
    assert_eq!(
        status.events[0].comment.as_deref(),
        Some("经实地核查，已完成")
    );
    assert_eq!(
        f.store.task_states(Some(f.doc)).await.unwrap(),
        [
            (f.doc, 1, S::Open),
            (f.doc, 2, S::ClaimedDone),
            (f.doc, 3, S::Closed)
        ]
    );
    // The dashboard's counts: task 1 reopened (a row saying open), the rest never
    // stepped on (no row) count as open too.
    let all = f.store.task_states(None).await.unwrap();
    let counts = f.store.task_state_counts().await.unwrap();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), all.len());
    for (state, n) in counts {
        assert_eq!(
            n,
            all.iter().filter(|(_, _, s)| *s == state).count(),
            "{state:?}"
        );
    }
}

#[tokio::test]
async fn refused_task_steps_write_nothing() {
    use TaskAction as T;
    use TaskState as S;
    let f = fixture().await;

    // A unit that does not lead the task (鲤城公安分局 leads task 1, not 2).
    assert_eq!(
        workflow_error(
            f.step(2, &f.gaj, T::ClaimDone, Some("已完成"), utc(2, 0, 0))
                .await
        ),
        WorkflowError::OtherUnit
    );
    // The account as stored decides.
    let claimed = User {
        unit: Some("区教育局".into()),
        ..f.gaj.clone()
    };
    assert_eq!(
        workflow_error(
            f.step(2, &claimed, T::ClaimDone, Some("已完成"), utc(2, 0, 0))
                .await
        ),
        WorkflowError::OtherUnit
    );
    // The office does not claim, units do not close, leaders do nothing.
    for (actor, action) in [
        (&f.office, T::ClaimDone),
        (&f.cgj, T::Close),
        (&f.cgj_head, T::RejectClaim),
        (&f.leader, T::Close),
        (&f.leader, T::ClaimDone),
    ] {
        let e = workflow_error(f.step(1, actor, action, Some("理由"), utc(2, 0, 0)).await);
        assert!(
            matches!(e, WorkflowError::RoleNotAllowed { .. }),
            "{action:?}: {e:?}"
        );
    }
    // A claim says what was done.
    assert!(matches!(
        workflow_error(
            f.step(1, &f.cgj, T::ClaimDone, Some(" "), utc(2, 0, 0))
                .await
        ),
        WorkflowError::ExplanationRequired(_)
    ));
    // 办结销号 says what was verified: nothing written, nothing closed.
    for comment in [None, Some(" ")] {
        let e = workflow_error(f.step(1, &f.office, T::Close, comment, utc(2, 0, 0)).await);
        assert!(matches!(e, WorkflowError::ExplanationRequired(_)), "{e:?}");
        assert!(e.to_string().contains("办结销号写明核实情况"), "{e}");
    }
    // Wrong state: nothing claimed to reject, nothing closed to reopen.
    assert!(matches!(
        workflow_error(
            f.step(1, &f.office, T::RejectClaim, Some("尚未验收"), utc(2, 0, 0))
                .await
        ),
        WorkflowError::WrongState { .. }
    ));
    assert!(matches!(
        workflow_error(
            f.step(1, &f.office, T::Reopen, Some("再批示"), utc(2, 0, 0))
                .await
        ),
        WorkflowError::WrongState { .. }
    ));
    assert_eq!(f.store.task_status(f.doc, 1).await.unwrap().events.len(), 0);

    // The office cannot reopen without saying why.
    f.step(1, &f.office, T::Close, Some("经核实已完成"), utc(3, 0, 0))
        .await
        .unwrap();
    for comment in [None, Some(""), Some("  ")] {
        let e = workflow_error(f.step(1, &f.office, T::Reopen, comment, utc(4, 0, 0)).await);
        assert!(matches!(e, WorkflowError::ExplanationRequired(_)), "{e:?}");
        assert!(e.to_string().contains("须填写说明"), "{e}");
    }
    // Acting from a state the task has left.
    let err = f
        .store
        .act_on_task_expecting(
            f.doc,
            1,
            &f.office,
            T::Reopen,
            Some("再批示"),
            S::ClaimedDone,
            utc(4, 0, 0),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TaskStale { task: 1, .. }),
        "{err:?}"
    );
    let err = f
        .store
        .act_on_task_expecting(
            f.doc,
            2,
            &f.wjj,
            T::ClaimDone,
            Some("已完成"),
            S::Closed,
            utc(4, 0, 0),
        )
        .await;
    assert!(
        matches!(err, Err(StoreError::TaskStale { task: 2, .. })),
        "{err:?}"
    );
    // Who may act is still checked first.
    let err = f
        .store
        .act_on_task_expecting(
            f.doc,
            2,
            &f.gaj,
            T::ClaimDone,
            Some("已完成"),
            S::Closed,
            utc(4, 0, 0),
        )
        .await;
    assert_eq!(workflow_error(err), WorkflowError::OtherUnit);
    assert_eq!(
        f.store
            .act_on_task_expecting(
                f.doc,
                1,
                &f.office,
                T::Reopen,
                Some("再批示"),
                S::Closed,
                utc(4, 0, 0),
            )
            .await
            .unwrap(),
        S::Open
    );
    let status = f.store.task_status(f.doc, 1).await.unwrap();
    assert_eq!(
        status.events.iter().map(|e| e.action).collect::<Vec<_>>(),
        [T::Close, T::Reopen]
    );
    assert_eq!(f.store.task_status(f.doc, 2).await.unwrap().state, S::Open);

    // Unknown task, document, account.
    let err = f
        .step(9, &f.office, T::Close, Some("经核实已完成"), utc(5, 0, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TaskNotFound { task: 9, .. }),
        "{err:?}"
    );
    assert!(matches!(
        f.store
            .act_on_task(
                DocumentId(999),
                1,
                &f.office,
                T::Close,
                Some("经核实已完成"),
                utc(5, 0, 0)
            )
            .await,
        Err(StoreError::NotFound(DocumentId(999)))
    ));
    let ghost = User {
        id: UserId(999),
        ..f.office.clone()
    };
    assert!(matches!(
        f.step(1, &ghost, T::Close, Some("经核实已完成"), utc(5, 0, 0))
            .await,
        Err(StoreError::UserNotFound(UserId(999)))
    ));
}

#[tokio::test]
async fn task_states_default_to_open() {
    let f = fixture().await;
    let open = [
        (f.doc, 1, TaskState::Open),
        (f.doc, 2, TaskState::Open),
        (f.doc, 3, TaskState::Open),
    ];
    assert_eq!(f.store.task_states(Some(f.doc)).await.unwrap(), open);
    assert_eq!(f.store.task_states(None).await.unwrap(), open);
    assert!(
        f.store
            .task_states(Some(DocumentId(999)))
            .await
            .unwrap()
            .is_empty()
    );
    let status = f.store.task_status(f.doc, 2).await.unwrap();
    assert_eq!(status.state, TaskState::Open);
    assert!(status.events.is_empty());

    f.step(
        2,
        &f.office,
        TaskAction::Close,
        Some("经核实已完成"),
        utc(2, 0, 0),
    )
    .await
    .unwrap();
    assert_eq!(
        f.store.task_states(None).await.unwrap(),
        [
            (f.doc, 1, TaskState::Open),
            (f.doc, 2, TaskState::Closed),
            (f.doc, 3, TaskState::Open),
        ]
    );
    assert!(matches!(
        f.store.task_status(f.doc, 4).await,
        Err(StoreError::TaskNotFound { task: 4, .. })
    ));
    assert!(matches!(
        f.store.task_status(DocumentId(999), 1).await,
        Err(StoreError::NotFound(DocumentId(999)))
    ));
}
