// Default sanitizer options for every fuzzer: the suppression file next to this source,
// so that a plain run is clean without setting UBSAN_OPTIONS.

extern "C" const char *__ubsan_default_options()
{
    return "suppressions=" RANGEDB_FUZZ_UBSAN_SUPPRESSIONS ":print_stacktrace=1";
}
