/* The one list of Check suites run by build/tests/run. CK_RUN_SUITE=name runs one. */
#ifndef GZ_TESTS_SUITES_H
#define GZ_TESTS_SUITES_H

#include <check.h>

Suite *suite_text(void);
Suite *suite_html(void);
Suite *suite_story(void);
Suite *suite_form(void);
Suite *suite_bundle(void);
Suite *suite_store(void);
Suite *suite_mfcc(void);
Suite *suite_dtw(void);
Suite *suite_acoustic(void);
Suite *suite_auth(void);
Suite *suite_ops(void);
Suite *suite_compress(void);
Suite *suite_config(void);
Suite *suite_service_account(void);
Suite *suite_store_fault(void);
Suite *suite_err(void);
Suite *suite_service_quiz(void);
Suite *suite_service_import(void);
Suite *suite_service_newsroom(void);
Suite *suite_markdown(void);
Suite *suite_image(void);
Suite *suite_store_backends(void);
Suite *suite_service_listen(void);
Suite *suite_service_images(void);

#define ALL_SUITES suite_text, suite_html, suite_story, suite_form, suite_bundle, suite_store, \
                   suite_mfcc, suite_dtw, suite_acoustic, suite_auth, suite_ops, suite_compress, suite_config, suite_service_account, suite_store_fault, \
                   suite_err, suite_service_quiz, suite_service_import, \
                   suite_service_newsroom, suite_markdown, suite_image, suite_store_backends, \
                   suite_service_listen, suite_service_images

#endif
