#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| duban_fuzz::import_docx(data));
