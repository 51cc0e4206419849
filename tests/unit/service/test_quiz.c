/* test_quiz.c: one attempt per reader, stored whole or not at all. */
#include "fault.h"
#include "service/quiz.h"
#include "suites.h"

static char dir[64];
static struct store *st;

static void setup(void)
{
    st = fault_store_open(dir);
}

static void teardown(void)
{
    fault_store_close(st, dir);
}

START_TEST(first_answer_only_and_full_disk_stores_nothing)
{
    struct err err = { 0 };
    struct buf first;
    int64_t qid = 0, score = -1;

    buf_init(&first, 0);
    ck_assert_int_eq(st->ops->quiz_put(st, "q", "测", "Q", 1, "{}", &qid, &err), GZ_OK);
    fault_arm(FAULT_FULL, 0);
    ck_assert_int_eq(qz_answer(st, qid, "r1", "[1,2]", 2, 5, &first, &score, &err), GZ_EFULL);
    fault_disarm();
    ck_assert_int_eq(st->ops->attempt_get(st, qid, "r1", &first, &score, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(qz_answer(st, qid, "r1", "[1,2]", 2, 5, &first, &score, &err), GZ_OK);
    ck_assert_int_eq(qz_answer(st, qid, "r1", "[0,0]", 0, 6, &first, &score, &err), GZ_ECONFLICT);
    ck_assert_str_eq(buf_cstr(&first), "[1,2]");
    ck_assert_int_eq(score, 2);
    buf_release(&first);
}
END_TEST

Suite *suite_service_quiz(void)
{
    Suite *s = suite_create("service_quiz");
    TCase *tc = tcase_create("answer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, first_answer_only_and_full_disk_stores_nothing);
    suite_add_tcase(s, tc);
    return s;
}
