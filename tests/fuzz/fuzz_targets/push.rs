//! The platform push parser: any body gives an intake or a reason, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jiandu_complaints::envelope::parse(data);
});
