// cxx_smoke.cpp: radvar from C++.  Every public header through the umbrella
// radvar/radvar.h (extern "C" guards), compiled with g++ -std=c++11
// -pedantic -Werror, linked against libradvar, and run: a few calls of each
// module with values checked, so that a missing guard or a mangled name
// fails to link rather than passing.
#include <radvar/radvar.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

static int failures = 0;

static void expect(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "cxx_smoke: %s\n", what);
        failures++;
    }
}

int main()
{
    expect(radvar_init() == RADVAR_SUCCESS, "radvar_init");
    expect(std::strcmp(radvar_version(), RADVAR_VERSION) == 0, "radvar_version");
    expect(std::strcmp(radvar_strerror(RADVAR_EDOM), "argument outside the domain") == 0,
           "radvar_strerror");

    radvar_result r;
    expect(radvar_theory_var_psi_e(6.0, 1.0, &r) == RADVAR_SUCCESS && r.val > 0 && r.err >= 0,
           "radvar_theory_var_psi_e");
    expect(std::fabs(radvar_theory_var_psi_approx(6.0, 1.0) - 0.375) < 1e-15, "var_psi_approx");
    expect(radvar_schedule_rho_t(0.999, 1.0) == 1.0, "radvar_schedule_rho_t");
    expect(radvar_rectify_threshold_applies(&radvar_rectify_threshold_official, 5.0) == 1,
           "threshold data symbol");
    expect(radvar_rectify(RADVAR_RECTIFY_PAPER, 0.999, 1e9) == 1.0, "radvar_rectify");

    uint32_t ctr[4] = {0, 0, 0, 0}, key[2] = {0, 0}, out[4];
    radvar_rng_philox4x32_10(ctr, key, out);
    expect(out[0] == 0x6627e8d5u, "Philox known answer");

    double x[4] = {1, 2, 3, 4};
    radvar_stats_moments m;
    radvar_stats_moments_of(x, 4, &m);
    expect(m.mean == 2.5 && m.m2 == 5.0, "radvar_stats_moments_of");

    radvar_exact_moments em;
    expect(radvar_exact_moments_ema(0.9, 10, 0.0, 1.0, &em) == RADVAR_SUCCESS && em.var_psi > 0,
           "radvar_exact_moments_ema");

    radvar_sim_config cfg;
    radvar_sim_config_default(&cfg);
    uint64_t t = 10;
    cfg.steps = 10;
    cfg.trials = 512;
    cfg.report = &t;
    cfg.n_report = 1;
    radvar_sim *sim = nullptr;
    expect(radvar_sim_alloc(&cfg, &sim) == RADVAR_SUCCESS, "radvar_sim_alloc");
    while (radvar_sim_iterate(sim) == RADVAR_CONTINUE) {
    }
    expect(radvar_sim_moments(sim, 0)->n == 512.0, "radvar_sim_moments");
    radvar_sim_free(sim);

    radvar_optim_config oc;
    expect(radvar_optim_defaults(RADVAR_RADAM, &oc) == RADVAR_SUCCESS, "radvar_optim_defaults");
    radvar_optim *opt = nullptr;
    std::vector<double> p(3, 1.0), g(3, 0.5);
    expect(radvar_optim_alloc(&oc, p.size(), RADVAR_FLOAT64, &opt) == RADVAR_SUCCESS, "optim_alloc");
    expect(radvar_optim_step_f64(opt, p.data(), g.data()) == RADVAR_SUCCESS && p[0] < 1.0,
           "radvar_optim_step_f64");
    radvar_optim_free(opt);

    if (failures == 0)
        std::printf("cxx_smoke: C++ build against radvar %s runs\n", radvar_version());
    return failures == 0 ? 0 : 1;
}
