//! The rule-file metadata parser: any text gives metadata or an error at a line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jiandu_rules::parse_front_matter(text, "FUZZ.rhai");
    }
});
