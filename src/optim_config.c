/* optim_config.c: the optimizer's configuration by name, see
 * radvar_optim_config_set in radvar/optim.h: one parser of every knob for
 * every front end (the radvar program, the Python bridge). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radvar/optim.h"

/* a finite number, the whole text */
static int parse_number(const char *text, double *x, char *why, size_t len)
{
    char *end;
    errno = 0;
    *x = strtod(text, &end);
    if (*text == '\0' || end == text || *end != '\0' || isspace((unsigned char)*text)) {
        snprintf(why, len, "'%s' is not a number", text);
        return RADVAR_EINVAL;
    }
    if (!isfinite(*x)) {
        snprintf(why, len, "'%s' is not a finite number", text);
        return RADVAR_EINVAL;
    }
    return RADVAR_SUCCESS;
}

/* x in [lo, hi] (hi_open: [lo, hi)); whole: x an integer */
static int in_range(const char *text, double x, double lo, double hi, int hi_open, int whole,
                    char *why, size_t len)
{
    if (whole && x != floor(x)) {
        snprintf(why, len, "'%s' is not a whole number", text);
        return RADVAR_EINVAL;
    }
    if (x >= lo && (hi_open ? x < hi : x <= hi))
        return RADVAR_SUCCESS;
    if (isinf(hi))
        snprintf(why, len, "%s is out of range: must be >= %.17g", text, lo);
    else
        snprintf(why, len, "%s is out of range: must be in [%.17g, %.17g%c", text, lo, hi,
                 hi_open ? ')' : ']');
    return RADVAR_EINVAL;
}

static int pick(const char *text, const char *const *names, int count, int *k, char *why,
                size_t len)
{
    for (*k = 0; *k < count; ++*k)
        if (strcmp(text, names[*k]) == 0)
            return RADVAR_SUCCESS;
    int n = snprintf(why, len, "'%s' is not valid (valid:", text);
    for (int i = 0; i < count && n > 0 && (size_t)n < len; i++)
        n += snprintf(why + n, len - (size_t)n, "%s %s", i ? "," : "", names[i]);
    if (n > 0 && (size_t)n < len)
        snprintf(why + n, len - (size_t)n, ")");
    return RADVAR_EINVAL;
}

/* the knob names with '-' and '_' alike */
static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

typedef struct {
    const char *name;
    size_t offset;
    double lo, hi;
    int hi_open, whole;
} numeric_knob;

#define KNOB(field, lo, hi, open, whole) {#field, offsetof(radvar_optim_config, field), lo, hi, open, whole}
static const numeric_knob numeric_knobs[] = {
    KNOB(lr, 0, INFINITY, 1, 0),
    KNOB(beta1, 0, 1, 1, 0),
    KNOB(beta2, 0, 1, 1, 0),
    KNOB(eps, 0, INFINITY, 1, 0),
    KNOB(eps_root, 0, INFINITY, 1, 0),
    KNOB(weight_decay, 0, INFINITY, 1, 0),
    KNOB(momentum, 0, 1, 1, 0),
    KNOB(warmup_steps, 1, 1e15, 0, 0),
    KNOB(v_only_steps, 0, 1e15, 0, 1),
    KNOB(total_steps, 0, 1e15, 0, 1),
    KNOB(warmup_proportion, 0, 1, 0, 0),
    KNOB(min_lr, 0, INFINITY, 1, 0),
};
#undef KNOB

static const char *const cmp_names[] = {"gt", "ge"};
static const char *const below_names[] = {"momentum", "skip"};
static const char *const place_names[] = {"sqrt-v", "sqrt-vhat"};
static const char *const wd_names[] = {"none", "l2", "decoupled", "decoupled-taken",
                                       "decoupled-in-lr"};
static const char *const flag_names[] = {"0", "1", "false", "true"};

static int set_choice(radvar_optim_config *c, const char *name, const char *value, char *why,
                      size_t len)
{
    int k, status;
    if (same_name(name, "threshold_cmp")) {
        if ((status = pick(value, cmp_names, 2, &k, why, len)) == RADVAR_SUCCESS)
            c->threshold.cmp = k ? RADVAR_CMP_GE : RADVAR_CMP_GT;
    } else if (same_name(name, "below")) {
        if ((status = pick(value, below_names, 2, &k, why, len)) == RADVAR_SUCCESS)
            c->below = k ? RADVAR_BELOW_SKIP : RADVAR_BELOW_MOMENTUM;
    } else if (same_name(name, "eps_placement")) {
        if ((status = pick(value, place_names, 2, &k, why, len)) == RADVAR_SUCCESS)
            c->eps_placement = k ? RADVAR_EPS_SQRT_VHAT : RADVAR_EPS_SQRT_V;
    } else if (same_name(name, "wd_kind")) {
        if ((status = pick(value, wd_names, 5, &k, why, len)) == RADVAR_SUCCESS)
            c->wd_kind = (radvar_weight_decay)k;
    } else if (same_name(name, "rect")) {
        static const char *const rects[] = {"paper", "sma-exact", "moment", "kurtosis"};
        if ((status = pick(value, rects, 4, &k, why, len)) == RADVAR_SUCCESS)
            radvar_rectify_kind_from_name(value, &c->rect);
    } else if (same_name(name, "nesterov") || same_name(name, "amsgrad")) {
        if ((status = pick(value, flag_names, 4, &k, why, len)) == RADVAR_SUCCESS)
            *(same_name(name, "nesterov") ? &c->nesterov : &c->amsgrad) = k & 1;
    } else {
        snprintf(why, len, "'%s' is not a knob of the optimizer", name);
        status = RADVAR_EINVAL;
    }
    return status;
}

int radvar_optim_config_set(radvar_optim_config *c, const char *name, const char *value,
                            char *why, size_t why_len)
{
    char scratch[2];
    if (why == NULL || why_len == 0) {
        why = scratch;
        why_len = sizeof scratch;
    }
    why[0] = '\0';
    if (c == NULL || name == NULL || value == NULL) {
        snprintf(why, why_len, "no configuration, name or value");
        return RADVAR_EINVAL;
    }
    for (size_t k = 0; k < sizeof numeric_knobs / sizeof *numeric_knobs; k++) {
        const numeric_knob *nk = &numeric_knobs[k];
        if (!same_name(name, nk->name))
            continue;
        double x;
        int status = parse_number(value, &x, why, why_len);
        if (status == RADVAR_SUCCESS)
            status = in_range(value, x, nk->lo, nk->hi, nk->hi_open, nk->whole, why, why_len);
        if (status == RADVAR_SUCCESS)
            *(double *)((char *)c + nk->offset) = x;
        return status;
    }
    if (same_name(name, "threshold")) {
        double x;
        int status = parse_number(value, &x, why, why_len);
        if (status == RADVAR_SUCCESS) {
            c->threshold.rho_min = x;
            snprintf(c->threshold.name, sizeof c->threshold.name, "custom");
        }
        return status;
    }
    return set_choice(c, name, value, why, why_len);
}
