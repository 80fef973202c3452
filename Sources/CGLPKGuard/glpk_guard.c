// glpk_guard.c — containment of GLPK's fatal errors, the C branch-and-cut callback,
// and whole-model loading. See glpk_guard.h for the contract.
#include "glpk_guard.h"

#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// ---- per-thread session state ------------------------------------------------------

typedef struct {
    int busy;
    rg_log_fn log;
    void *log_info;
    char tail[1024];   // the last bytes GLPK printed, for error messages
    size_t tail_len;
} rg_thread_state;

static _Thread_local rg_thread_state rg_state;

static int rg_term_hook(void *info, const char *s) {
    (void)info;
    size_t n = strlen(s);
    size_t cap = sizeof rg_state.tail - 1;
    if (n >= cap) {
        memcpy(rg_state.tail, s + (n - cap), cap);
        rg_state.tail_len = cap;
    } else {
        if (rg_state.tail_len + n > cap) {
            size_t drop = rg_state.tail_len + n - cap;
            memmove(rg_state.tail, rg_state.tail + drop, rg_state.tail_len - drop);
            rg_state.tail_len -= drop;
        }
        memcpy(rg_state.tail + rg_state.tail_len, s, n);
        rg_state.tail_len += n;
    }
    rg_state.tail[rg_state.tail_len] = '\0';
    if (rg_state.log != NULL) rg_state.log(rg_state.log_info, s);
    return 1;  // never let GLPK write to stdout itself
}

static void rg_clear_tail(void) {
    rg_state.tail_len = 0;
    rg_state.tail[0] = '\0';
}

static void rg_install_hooks(void) {
    glp_term_hook(rg_term_hook, NULL);
    glp_term_out(rg_state.log != NULL ? GLP_ON : GLP_OFF);
}

int rg_enter(rg_log_fn log, void *log_info) {
    if (rg_state.busy) return 1;
    rg_state.busy = 1;
    rg_state.log = log;
    rg_state.log_info = log_info;
    rg_clear_tail();
    rg_install_hooks();
    return 0;
}

void rg_leave(void) {
    glp_term_hook(NULL, NULL);
    glp_free_env();  // returns 1 harmlessly when a contained error already freed it
    rg_state.busy = 0;
    rg_state.log = NULL;
    rg_state.log_info = NULL;
}

// ---- error containment --------------------------------------------------------------

typedef struct {
    jmp_buf jump;
} rg_guard;

static void rg_error_hook(void *info) {
    rg_guard *g = (rg_guard *)info;
    longjmp(g->jump, 1);
}

// Copies the last lines GLPK printed into err: "<routine>: <what>" and
// "Error detected in file ... at line ..." for a fatal error, the file diagnosis for a
// reader's error. Newlines become spaces.
static void rg_copy_tail(rg_error *err, int max_lines) {
    const char *text = rg_state.tail;
    size_t len = rg_state.tail_len;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ')) len--;
    size_t start = len;
    int lines = 0;
    while (start > 0) {
        if (text[start - 1] == '\n' && ++lines == max_lines) break;
        start--;
    }
    size_t n = len - start;
    if (n >= sizeof err->text) n = sizeof err->text - 1;
    memcpy(err->text, text + start, n);
    err->text[n] = '\0';
    for (size_t i = 0; i < n; i++) if (err->text[i] == '\n') err->text[i] = ' ';
    if (n == 0) strcpy(err->text, "GLPK gave no message");
}

// Called after the jump: GLPK's documentation requires freeing the environment.
static void rg_recover(rg_error *err) {
    glp_error_hook(NULL, NULL);
    glp_free_env();
    if (err != NULL) rg_copy_tail(err, 2);
    // A new environment is created by the next call; keep output routed through the hook.
    rg_install_hooks();
    rg_clear_tail();
}

#define RG_GUARD_BEGIN(err)                          \
    rg_guard guard__;                                \
    if (setjmp(guard__.jump) != 0) {                 \
        rg_recover(err);                             \
        return 1;                                    \
    }                                                \
    glp_error_hook(rg_error_hook, &guard__)

#define RG_GUARD_END() glp_error_hook(NULL, NULL)

// ---- building -----------------------------------------------------------------------

static void rg_set_col_bounds(glp_prob *P, int j, double lb, double ub) {
    int lo = isfinite(lb), up = isfinite(ub);
    int type = lo && up ? (lb == ub ? GLP_FX : GLP_DB) : lo ? GLP_LO : up ? GLP_UP : GLP_FR;
    glp_set_col_bnds(P, j, type, lo ? lb : 0.0, up ? ub : 0.0);
}

static void rg_set_row_bounds(glp_prob *P, int i, double lb, double ub) {
    int lo = isfinite(lb), up = isfinite(ub);
    int type = lo && up ? (lb == ub ? GLP_FX : GLP_DB) : lo ? GLP_LO : up ? GLP_UP : GLP_FR;
    glp_set_row_bnds(P, i, type, lo ? lb : 0.0, up ? ub : 0.0);
}

static int rg_build_body(const rg_model *m, glp_prob *P, int *ia, int *ja, double *ar) {
    if (m->prob_name != NULL) glp_set_prob_name(P, m->prob_name);
    glp_set_obj_dir(P, m->maximize ? GLP_MAX : GLP_MIN);
    glp_set_obj_coef(P, 0, m->obj_constant);
    if (m->n_cols > 0) glp_add_cols(P, m->n_cols);
    if (m->n_rows > 0) glp_add_rows(P, m->n_rows);
    for (int j = 0; j < m->n_cols; j++) {
        if (m->col_integer[j]) glp_set_col_kind(P, j + 1, GLP_IV);
        rg_set_col_bounds(P, j + 1, m->col_lb[j], m->col_ub[j]);
        if (m->obj[j] != 0.0) glp_set_obj_coef(P, j + 1, m->obj[j]);
        if (m->col_name_off != NULL && m->col_name_off[j] >= 0)
            glp_set_col_name(P, j + 1, m->name_buf + m->col_name_off[j]);
    }
    long ne = 0;
    for (int i = 0; i < m->n_rows; i++) {
        rg_set_row_bounds(P, i + 1, m->row_lb[i], m->row_ub[i]);
        if (m->row_name_off != NULL && m->row_name_off[i] >= 0)
            glp_set_row_name(P, i + 1, m->name_buf + m->row_name_off[i]);
        for (long k = m->row_start[i]; k < m->row_start[i + 1]; k++) {
            ne++;
            ia[ne] = i + 1;
            ja[ne] = m->row_col[k] + 1;
            ar[ne] = m->row_val[k];
        }
    }
    if (ne > 0) glp_load_matrix(P, (int)ne, ia, ja, ar);
    return 0;
}

int rg_build(const rg_model *m, glp_prob **out, rg_error *err) {
    long nnz = m->n_rows > 0 ? m->row_start[m->n_rows] : 0;
    int *ia = malloc(sizeof(int) * (size_t)(nnz + 1));
    int *ja = malloc(sizeof(int) * (size_t)(nnz + 1));
    double *ar = malloc(sizeof(double) * (size_t)(nnz + 1));
    if (ia == NULL || ja == NULL || ar == NULL) {
        free(ia); free(ja); free(ar);
        strcpy(err->text, "out of memory while loading the constraint matrix");
        return 1;
    }
    glp_prob *volatile P = NULL;
    rg_guard guard;
    if (setjmp(guard.jump) != 0) {
        rg_recover(err);
        free(ia); free(ja); free(ar);
        *out = NULL;
        return 1;
    }
    glp_error_hook(rg_error_hook, &guard);
    P = glp_create_prob();
    rg_build_body(m, P, ia, ja, ar);
    glp_error_hook(NULL, NULL);
    free(ia); free(ja); free(ar);
    *out = P;
    return 0;
}

void rg_delete(glp_prob *P) {
    if (P != NULL) glp_delete_prob(P);
}

// ---- solving ------------------------------------------------------------------------

static double rg_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    const rg_params *params;
    rg_outcome *outcome;
    double started;
    double deadline;       // 0 for none
    double last_report;
    int n_cols;
} rg_search;

static int rg_remaining_ms(const rg_search *s) {
    if (s->deadline <= 0) return 0x7fffffff;
    double left = s->deadline - rg_now();
    if (left <= 0.001) return 1;
    double ms = ceil(left * 1000.0);
    return ms > 2e9 ? 0x7fffffff : (int)ms;
}

static void rg_callback(glp_tree *T, void *info) {
    rg_search *s = (rg_search *)info;
    rg_outcome *o = s->outcome;
    const rg_params *p = s->params;
    int reason = glp_ios_reason(T);
    glp_prob *tp = glp_ios_get_prob(T);

    int best = glp_ios_best_node(T);
    if (best != 0) {
        o->bound = glp_ios_node_bound(T, best);
        o->has_bound = 1;
    }
    int a_cnt = 0, n_cnt = 0, t_cnt = 0;
    glp_ios_tree_size(T, &a_cnt, &n_cnt, &t_cnt);
    o->nodes = t_cnt;

    if (reason == GLP_IHEUR && o->start_state == RG_START_PENDING) {
        if (glp_get_num_cols(tp) != s->n_cols) {
            o->start_state = RG_START_SIZE_MISMATCH;
        } else {
            o->start_state = glp_ios_heur_sol(T, p->start) == 0 ? RG_START_ACCEPTED : RG_START_DECLINED;
        }
    }

    int status = glp_mip_status(tp);
    int has_incumbent = status == GLP_FEAS || status == GLP_OPT;
    double incumbent = has_incumbent ? glp_mip_obj_val(tp) : 0.0;

    double now = rg_now();
    if (o->stop_reason == RG_STOP_NONE) {
        if (s->deadline > 0 && now >= s->deadline) {
            o->stop_reason = RG_STOP_DEADLINE;
        } else if (p->gap_limit >= 0 && has_incumbent && o->has_bound) {
            double scale = fabs(incumbent) > 1.0 ? fabs(incumbent) : 1.0;
            if (fabs(incumbent - o->bound) / scale <= p->gap_limit) o->stop_reason = RG_STOP_GAP;
        }
    }
    if (p->progress != NULL &&
        (reason == GLP_IBINGO || now - s->last_report >= p->progress_interval || o->stop_reason != RG_STOP_NONE)) {
        s->last_report = now;
        if (p->progress(p->progress_info, now - s->started, has_incumbent, incumbent, o->has_bound, o->bound,
                        t_cnt) != 0 && o->stop_reason == RG_STOP_NONE) {
            o->stop_reason = RG_STOP_CALLER;
        }
    }
    if (o->stop_reason != RG_STOP_NONE) glp_ios_terminate(T);
}

static void rg_solve_body(glp_prob *P, const rg_params *p, rg_outcome *o) {
    rg_search s;
    s.params = p;
    s.outcome = o;
    s.started = rg_now();
    s.deadline = p->time_limit > 0 ? s.started + p->time_limit : 0;
    s.last_report = s.started;
    s.n_cols = glp_get_num_cols(P);

    int msg = p->verbose ? GLP_MSG_ON : GLP_MSG_OFF;
    glp_smcp smcp;
    glp_init_smcp(&smcp);
    smcp.msg_lev = msg;

    o->is_mip = glp_get_num_int(P) > 0;
    o->start_state = p->start != NULL ? RG_START_PENDING : RG_START_NONE;

    if (!o->is_mip && p->interior) {
        glp_iptcp iptcp;
        glp_init_iptcp(&iptcp);
        iptcp.msg_lev = msg;
        o->interior = 1;
        glp_scale_prob(P, GLP_SF_AUTO);  // as glpsol does: unscaled rotas stall the method
        o->ret = glp_interior(P, &iptcp);
        o->lp_status = glp_ipt_status(P);
        o->objective = glp_ipt_obj_val(P);
        o->seconds = rg_now() - s.started;
        return;
    }
    if (!o->is_mip) {
        smcp.presolve = p->presolve ? GLP_ON : GLP_OFF;
        smcp.tm_lim = rg_remaining_ms(&s);
        o->ret = glp_simplex(P, &smcp);
        if (o->ret == GLP_ENODFS || o->ret == GLP_ENOPFS) {
            // The presolver says only "infeasible or unbounded"; the plain simplex tells which.
            smcp.presolve = GLP_OFF;
            smcp.tm_lim = rg_remaining_ms(&s);
            o->ret = glp_simplex(P, &smcp);
        }
        o->lp_status = glp_get_status(P);
        o->objective = glp_get_obj_val(P);
        o->seconds = rg_now() - s.started;
        return;
    }

    glp_iocp iocp;
    glp_init_iocp(&iocp);
    iocp.msg_lev = msg;
    iocp.gmi_cuts = p->gmi_cuts ? GLP_ON : GLP_OFF;
    iocp.mir_cuts = p->mir_cuts ? GLP_ON : GLP_OFF;
    iocp.cov_cuts = p->cov_cuts ? GLP_ON : GLP_OFF;
    iocp.clq_cuts = p->clq_cuts ? GLP_ON : GLP_OFF;
    iocp.fp_heur = p->fp_heur ? GLP_ON : GLP_OFF;
    if (p->most_fractional) iocp.br_tech = GLP_BR_MFV;
    iocp.cb_func = rg_callback;
    iocp.cb_info = &s;
    if (p->gap_limit >= 0) iocp.mip_gap = p->gap_limit;

    // A start vector lives in the original column space, so the tree must not be presolved.
    int presolve = p->presolve && p->start == NULL;
    if (!presolve) {
        smcp.presolve = GLP_OFF;
        smcp.tm_lim = rg_remaining_ms(&s);
        o->ret = glp_simplex(P, &smcp);
        o->lp_status = glp_get_status(P);
        if (o->ret != 0 || o->lp_status != GLP_OPT) {
            o->relaxation_only = 1;
            o->seconds = rg_now() - s.started;
            return;
        }
    }
    iocp.presolve = presolve ? GLP_ON : GLP_OFF;
    iocp.tm_lim = rg_remaining_ms(&s);
    o->ret = glp_intopt(P, &iocp);
    if (o->ret == GLP_ENODFS) {
        // The relaxation has no dual feasible solution; find out if it is even feasible.
        smcp.presolve = GLP_OFF;
        smcp.tm_lim = rg_remaining_ms(&s);
        glp_simplex(P, &smcp);
        o->lp_status = glp_get_status(P);
    }
    o->mip_status = glp_mip_status(P);
    o->has_incumbent = o->mip_status == GLP_OPT || o->mip_status == GLP_FEAS;
    o->objective = o->has_incumbent ? glp_mip_obj_val(P) : 0.0;
    o->seconds = rg_now() - s.started;
}

int rg_solve(glp_prob *P, const rg_params *p, rg_outcome *o, rg_error *err) {
    memset(o, 0, sizeof *o);
    RG_GUARD_BEGIN(err);
    rg_solve_body(P, p, o);
    RG_GUARD_END();
    return 0;
}

void rg_column_values(glp_prob *P, int source, double *out, int n) {
    for (int j = 1; j <= n; j++) {
        out[j - 1] = source == 1 ? glp_mip_col_val(P, j) : source == 2 ? glp_ipt_col_prim(P, j) : glp_get_col_prim(P, j);
    }
}

void rg_row_duals(glp_prob *P, double *out, int n) {
    for (int i = 1; i <= n; i++) out[i - 1] = glp_get_row_dual(P, i);
}

// ---- files --------------------------------------------------------------------------

// Readers and writers report file problems as ordinary output: let it reach the hook
// (which never prints it) so the diagnosis can be returned.
int rg_write(glp_prob *P, int format, const char *path, int *ret, rg_error *err) {
    RG_GUARD_BEGIN(err);
    glp_term_out(GLP_ON);
    rg_clear_tail();
    if (format == RG_FORMAT_CPLEX_LP) {
        *ret = glp_write_lp(P, NULL, path);
    } else {
        *ret = glp_write_mps(P, GLP_MPS_FILE, NULL, path);
    }
    if (*ret != 0) rg_copy_tail(err, 1);
    rg_install_hooks();
    RG_GUARD_END();
    return 0;
}

int rg_read(int format, const char *path, glp_prob **out, int *ret, rg_error *err) {
    *out = NULL;
    RG_GUARD_BEGIN(err);
    glp_term_out(GLP_ON);
    rg_clear_tail();
    glp_prob *P = glp_create_prob();
    if (format == RG_FORMAT_CPLEX_LP) {
        *ret = glp_read_lp(P, NULL, path);
    } else {
        *ret = glp_read_mps(P, GLP_MPS_FILE, NULL, path);
    }
    if (*ret != 0) {
        rg_copy_tail(err, 1);
        glp_delete_prob(P);
        P = NULL;
    }
    rg_install_hooks();
    RG_GUARD_END();
    *out = P;
    return 0;
}

void rg_size(glp_prob *P, int *rows, int *cols, int *nonzeros, int *integers) {
    *rows = glp_get_num_rows(P);
    *cols = glp_get_num_cols(P);
    *nonzeros = glp_get_num_nz(P);
    *integers = glp_get_num_int(P);
}
