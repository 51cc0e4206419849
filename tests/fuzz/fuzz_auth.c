/* Fuzz target: phone, e-mail and username validation and the remember-me cookie shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), out[AUTH_PHONE_MAX];

    memcpy(s, data, size);
    s[size] = '\0';
    if (auth_phone_parse(s, out) == AUTH_OK &&
        (strlen(out) != 14 || strncmp(out, "+861", 4) != 0 || out[4] < '3' ||
         strspn(out + 1, "0123456789") != 13))
        abort();
    (void)auth_email_check(s);
    (void)auth_username_check(s);
    if (auth_password_check(s, "user", "user@example.com") == AUTH_OK &&
        (strlen(s) > AUTH_PW_MAX || strlen(s) < AUTH_PW_MIN))
        abort();
    free(s);
    return 0;
}
