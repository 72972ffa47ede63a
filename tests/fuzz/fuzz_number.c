/* fuzz_number.c: the number and seed parsers of cli/parse.c.  The first
 * byte picks the parser, the rest is the text.  Checks: a message is one
 * line; an accepted value is finite, in its range and what strtod (or, for
 * a seed, a plain decimal reading) gives; every refused text is refused by
 * the independent reading too. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>

#include "fuzz_util.h"
#include "parse.h"

/* A reading of a seed that shares no code with cli_parse_seed. */
static int reference_seed(const char *s, uint64_t *x)
{
    if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
        return 0;
    while (s[0] == '0' && s[1] != '\0')
        s++; /* leading zeros */
    if (strlen(s) > 20 || (strlen(s) == 20 && strcmp(s, "18446744073709551615") > 0))
        return 0;
    *x = 0;
    for (; *s; s++)
        *x = *x * 10 + (uint64_t)(*s - '0');
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = fuzz_string(data + 1, size - 1), msg[CLI_MSG_LEN];
    int which = data[0] % 5, status;
    double x;
    uint64_t seed, ref;
    char *end;
    switch (which) {
    case 0:
        status = cli_parse_double("--x", text, &x, msg, sizeof msg);
        if (status == CLI_OK) {
            FUZZ_CHECK(isfinite(x) && x == strtod(text, &end) && *end == '\0');
        } else {
            errno = 0;
            double y = *text ? strtod(text, &end) : 0;
            FUZZ_CHECK(*text == '\0' || end == text || *end != '\0' || !isfinite(y)
                       || (errno == ERANGE && fabs(y) > 1));
        }
        break;
    case 1:
        status = cli_parse_nonnegative("--x", text, &x, msg, sizeof msg);
        if (status == CLI_OK)
            FUZZ_CHECK(isfinite(x) && x >= 0);
        break;
    case 2:
        status = cli_parse_unit_interval("--x", text, &x, msg, sizeof msg);
        if (status == CLI_OK)
            FUZZ_CHECK(x >= 0 && x < 1);
        break;
    case 3:
        status = cli_parse_integer("--x", text, 1, 9007199254740992.0, &x, msg, sizeof msg);
        if (status == CLI_OK)
            FUZZ_CHECK(x == floor(x) && x >= 1 && x <= 9007199254740992.0);
        break;
    default:
        status = cli_parse_seed("--seed", text, &seed, msg, sizeof msg);
        FUZZ_CHECK((status == CLI_OK) == reference_seed(text, &ref));
        if (status == CLI_OK)
            FUZZ_CHECK(seed == ref);
        break;
    }
    FUZZ_CHECK(status == CLI_OK || status == CLI_EINPUT);
    if (status != CLI_OK)
        FUZZ_CHECK(strchr(msg, '\n') == NULL && msg[0] != '\0');
    free(text);
    return 0;
}
