#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| passerelle::internal::fuzzing::vical(data));
