//! The package around the document part: core properties, styles, settings, the font
//! table with its substitutes, and the zip with fixed timestamps.

use std::io::{Cursor, Write as _};

use super::*;

pub(super) struct Parts {
    pub(super) document: String,
    pub(super) styles: String,
    pub(super) footers: [String; 3],
    pub(super) core: String,
}

/// A footer part holding `paragraph`, or an empty paragraph.
pub(super) fn footer_xml(paragraph: Option<Para>) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str(XML_DECLARATION);
    put!(out, r#"<w:ftr xmlns:w="{NS_W}" xmlns:r="{NS_R}">"#);
    paragraph.unwrap_or_default().write(&mut out);
    out.push_str("</w:ftr>");
    out
}

/// The document's properties: title and author (the 发文机关) as Word shows them, and
/// the fixed creation time.
pub(super) fn core_xml(notice: &Notice, stamp: &Stamp) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str(XML_DECLARATION);
    out.push_str(concat!(
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
        r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
    ));
    let document = &notice.document;
    if let Some(title) = document.title.as_deref().filter(|t| !t.is_empty()) {
        out.push_str("<dc:title>");
        escape_into(&mut out, title);
        out.push_str("</dc:title>");
    }
    if let Some(issuer) = document.issuer.as_deref().filter(|t| !t.is_empty()) {
        out.push_str("<dc:creator>");
        escape_into(&mut out, issuer);
        out.push_str("</dc:creator>");
    }
    let time = stamp.w3c();
    put!(
        out,
        concat!(
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{time}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{time}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        time = time
    );
    out
}

pub(super) const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />"#,
    r#"<Default Extension="xml" ContentType="application/xml" />"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" />"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml" />"#,
    r#"<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml" />"#,
    r#"<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml" />"#,
    r#"<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" />"#,
    r#"<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" />"#,
    r#"<Override PartName="/word/footer3.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" />"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />"#,
    r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml" />"#,
    "</Types>"
);

pub(super) const PACKAGE_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml" />"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml" />"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml" />"#,
    "</Relationships>"
);

pub(super) const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml" />"#,
    r#"<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml" />"#,
    r#"<Relationship Id="rIdFontTable" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml" />"#,
    r#"<Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml" />"#,
    r#"<Relationship Id="rIdFooter2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml" />"#,
    r#"<Relationship Id="rIdFooter3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer3.xml" />"#,
    "</Relationships>"
);

pub(super) const APP_PROPERTIES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">"#,
    "<Application>duban</Application></Properties>"
);

/// The table's paragraph styles: 4号仿宋 justified on exact 20 pt lines, and the header
/// row's 4号黑体 centred. An office adjusts the whole table by changing one style.
pub(super) const TABLE_TEXT_STYLE: &str = "TableText";
pub(super) const TABLE_HEADING_STYLE: &str = "TableHeading";

/// Defaults: 3号仿宋_GB2312 with Times New Roman for Latin text, Chinese as the East
/// Asian language. The Normal style repeats the size because LibreOffice sizes its
/// layout grid from the Normal style only (not docDefaults) and otherwise spreads 16 pt
/// text over two 12 pt cells; it also turns off the automatic space between Chinese and
/// digits (2020年10月15日, not 2020 年 10 月 15 日), as 公文 count every character on
/// the grid. Then the table's styles.
pub(super) fn styles_xml() -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(XML_DECLARATION);
    let body = half_points(SIZE_3);
    put!(
        out,
        concat!(
            r#"<w:styles xmlns:w="{ns}"><w:docDefaults><w:rPrDefault><w:rPr>"#,
            r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="仿宋_GB2312" w:hint="eastAsia" />"#,
            r#"<w:sz w:val="{body}" /><w:szCs w:val="{body}" /><w:lang w:val="en-US" w:eastAsia="zh-CN" />"#,
            r#"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr /></w:pPrDefault></w:docDefaults>"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal" /><w:qFormat />"#,
            r#"<w:pPr><w:autoSpaceDE w:val="0" /><w:autoSpaceDN w:val="0" /></w:pPr>"#,
            r#"<w:rPr><w:sz w:val="{body}" /><w:szCs w:val="{body}" /></w:rPr></w:style>"#
        ),
        ns = NS_W,
        body = body,
    );
    let table_style = |out: &mut String, id: &str, name: &str, align: Align, role: FontRole| {
        put!(
            out,
            concat!(
                r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}"><w:name w:val="{name}" />"#,
                r#"<w:basedOn w:val="Normal" /><w:qFormat /><w:pPr><w:snapToGrid w:val="0" />"#,
                r#"<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact" />"#,
                r#"<w:jc w:val="{align}" /></w:pPr>"#
            ),
            id = id,
            name = name,
            line = (TABLE_LINE_PT * 20.0) as u32,
            align = align.val(),
        );
        Look::new(role, TABLE_FONT_PT).write(out);
        out.push_str("</w:style>");
    };
    table_style(
        &mut out,
        TABLE_TEXT_STYLE,
        "表格文字",
        Align::Both,
        FontRole::FangSong,
    );
    table_style(
        &mut out,
        TABLE_HEADING_STYLE,
        "表格标题行",
        Align::Center,
        FontRole::HeiTi,
    );
    out.push_str("</w:styles>");
    out
}

/// Zoom, the default tab stop, different footers on odd and even pages (page numbers
/// right and left), and Word 2013+ layout (compatibilityMode 15).
pub(super) const SETTINGS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:zoom w:percent="100" /><w:defaultTabStop w:val="840" /><w:evenAndOddHeaders />"#,
    r#"<w:compat><w:spaceForUL /><w:balanceSingleByteDoubleByteWidth /><w:doNotLeaveBackslashAlone />"#,
    r#"<w:ulTrailSpace /><w:doNotExpandShiftReturn /><w:useFELayout />"#,
    r#"<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15" />"#,
    r#"<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="differentiateMultirowTableHeaders" w:uri="http://schemas.microsoft.com/office/word" w:val="1" />"#,
    r#"<w:compatSetting w:name="useWord2013TrackBottomHyphenation" w:uri="http://schemas.microsoft.com/office/word" w:val="0" />"#,
    r#"</w:compat></w:settings>"#
);

/// The fonts the notice names, each with the font Word and WPS substitute when it is
/// not installed (`w:altName`): a Windows 10 office has 仿宋 and 楷体 but often not the
/// GB2312 versions, and rarely 方正小标宋简体.
pub(super) const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋" /><w:charset w:val="86" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="方正小标宋简体"><w:altName w:val="宋体" /><w:charset w:val="86" /><w:family w:val="script" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="黑体"><w:altName w:val="SimHei" /><w:charset w:val="86" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="楷体_GB2312"><w:altName w:val="楷体" /><w:charset w:val="86" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun" /><w:charset w:val="86" /><w:family w:val="auto" /><w:pitch w:val="variable" /></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00" /><w:family w:val="roman" /><w:pitch w:val="variable" /></w:font>"#,
    r#"<w:font w:name="Arial"><w:charset w:val="00" /><w:family w:val="swiss" /><w:pitch w:val="variable" /></w:font>"#,
    "</w:fonts>"
);

/// Parts smaller than this are stored rather than deflated (see [`package`]).
pub(super) const SMALLEST_DEFLATED_PART: usize = 4096;

pub(super) fn package(parts: &Parts, stamp: &Stamp) -> Result<Vec<u8>, RenderError> {
    let entries: [(&str, &[u8]); 12] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("docProps/core.xml", parts.core.as_bytes()),
        ("docProps/app.xml", APP_PROPERTIES.as_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes()),
        ("word/document.xml", parts.document.as_bytes()),
        ("word/styles.xml", parts.styles.as_bytes()),
        ("word/settings.xml", SETTINGS.as_bytes()),
        ("word/fontTable.xml", FONT_TABLE.as_bytes()),
        ("word/footer1.xml", parts.footers[0].as_bytes()),
        ("word/footer2.xml", parts.footers[1].as_bytes()),
        ("word/footer3.xml", parts.footers[2].as_bytes()),
    ];

    let time = zip::DateTime::from_date_and_time(stamp.year, stamp.month, stamp.day, 0, 0, 0)
        .unwrap_or_default();
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let deflated = stored
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let capacity = parts.document.len() / 2 + 16 * 1024;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    let zip_error = |e: zip::result::ZipError| RenderError::Docx(format!("打包失败：{e}"));
    for (name, bytes) in entries {
        // Each deflate stream starts by clearing ~300 KiB of window and hash tables:
        // for parts of a few hundred bytes that costs more than it saves.
        let options = if bytes.len() < SMALLEST_DEFLATED_PART {
            stored
        } else {
            deflated
        };
        out.start_file(name, options).map_err(zip_error)?;
        out.write_all(bytes)
            .map_err(|e| RenderError::Docx(format!("打包失败：{e}")))?;
    }
    let cursor = out.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}
