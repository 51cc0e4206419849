/* main.c: one runner for every suite; its last line is Check's summary. */
#include <stdlib.h>

#include <sodium.h>

#include "suites.h"

int main(void)
{
    Suite *(*const all[])(void) = { ALL_SUITES };
    SRunner *sr;
    int failed;

    if (sodium_init() < 0)
        return 1;
    sr = srunner_create(all[0]());
    for (size_t i = 1; i < sizeof all / sizeof all[0]; i++)
        srunner_add_suite(sr, all[i]());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
