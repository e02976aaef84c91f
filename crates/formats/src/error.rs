use crate::source::Location;

/// Why a file could not be imported. Messages are for the office's staff: what is
/// wrong, where, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("文件为空，没有可导入的内容。请确认选择了正确的文件。")]
    Empty,
    #[error("无法识别的文件内容（{0}）。请另存为 .txt、.md、.html、.docx 或 .xlsx 后再导入。")]
    Binary(String),
    #[error("{location}：{message}")]
    At { location: Location, message: String },
    #[error("{0}")]
    Table(String),
    /// A JSON file that is not a notice in duban's interchange format.
    #[error(transparent)]
    Interchange(#[from] crate::interchange::InterchangeError),
    #[error("无法读取 {format} 文件：{detail}。文件可能已损坏，请用办公软件打开、另存后重试。")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
}

impl ImportError {
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        ImportError::At {
            location,
            message: message.into(),
        }
    }

    pub fn corrupt(format: &'static str, detail: impl std::fmt::Display) -> Self {
        ImportError::Corrupt {
            format,
            detail: detail.to_string(),
        }
    }
}
