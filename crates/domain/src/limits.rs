//! How long each free-text field may be, in characters, with limits that suit what the
//! field holds. A request never stores more than these, and a refusal names the field
//! and its limit.

/// A free-text field's name as the user knows it, and its longest accepted length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    /// The field as the form labels it (填报期间, 落实情况 …).
    pub field: &'static str,
    pub max_chars: usize,
}

/// A text longer than its field allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}过长：{chars} 字，最多 {max_chars} 字，请精简后再提交")]
pub struct TooLong {
    pub field: &'static str,
    pub chars: usize,
    pub max_chars: usize,
}

impl TextLimit {
    pub fn check(self, text: &str) -> Result<(), TooLong> {
        // Counting stops one past the limit: a 2 MB text costs no more than a short one.
        let chars = text.chars().take(self.max_chars + 1).count();
        if chars > self.max_chars {
            return Err(TooLong {
                field: self.field,
                chars: text.chars().count(),
                max_chars: self.max_chars,
            });
        }
        Ok(())
    }
}

/// Tasks in one notice: real 落实情况表 hold tens to a few hundred; ten thousand keeps
/// one import or render from taking the machine (see docs/benchmarks.md).
pub const NOTICE_TASKS: usize = 10_000;
/// One cell of an imported table (the seed's longest is about 800 characters).
pub const CELL_TEXT: TextLimit = TextLimit {
    field: "单元格",
    max_chars: 20_000,
};
/// Pages of one PDF: the seed's 35 tasks take 28; a notice at [`NOTICE_TASKS`] with
/// short cells takes about 1,300.
pub const PDF_PAGES: usize = 3_000;

/// A round's period (`1-10月`, `第三季度（1-9月）`, `第12周（3月16日-3月22日）`).
pub const ROUND_LABEL: TextLimit = TextLimit {
    field: "填报期间",
    max_chars: 40,
};
/// One unit's progress on one task in one round: the seed's longest cell, five units'
/// reports together, is about 700 characters.
pub const REPORT_TEXT: TextLimit = TextLimit {
    field: "落实情况",
    max_chars: 10_000,
};
/// A comment on a step: why a report was sent back or returned, why a task is
/// reopened, why the office set a status.
pub const COMMENT: TextLimit = TextLimit {
    field: "意见或理由",
    max_chars: 1_000,
};
/// The original text of a source (a whole speech or 会议纪要 fits).
pub const SOURCE_ORIGINAL: TextLimit = TextLimit {
    field: "来源原文",
    max_chars: 100_000,
};
/// The office's notes on a source.
pub const SOURCE_NOTES: TextLimit = TextLimit {
    field: "备注",
    max_chars: 2_000,
};
/// One 正文 paragraph of a notice.
pub const BODY_PARAGRAPH: TextLimit = TextLimit {
    field: "正文段落",
    max_chars: 5_000,
};
/// One 主送机关 entry.
pub const RECIPIENT: TextLimit = TextLimit {
    field: "主送机关",
    max_chars: 200,
};
/// What is typed into the login form: no account name or password is longer, and a
/// longer one would only cost hashing time.
pub const LOGIN_FIELD: TextLimit = TextLimit {
    field: "用户名或密码",
    max_chars: 256,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_and_its_limit() {
        assert!(ROUND_LABEL.check("1-10月").is_ok());
        let long = "月".repeat(100_000);
        let e = ROUND_LABEL.check(&long).unwrap_err();
        assert_eq!(
            e.to_string(),
            "填报期间过长：100000 字，最多 40 字，请精简后再提交"
        );
        assert!(REPORT_TEXT.check(&"字".repeat(10_000)).is_ok());
        assert!(REPORT_TEXT.check(&"字".repeat(10_001)).is_err());
    }
}
