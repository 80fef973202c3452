// glpk_guard.h — the only door from Swift into GLPK's risky routines.
//
// GLPK reports a misuse or an internal failure by printing a message and calling
// abort(). Every function here that can reach such a path installs an error hook that
// longjmps back into the same C function, so the failure becomes a return code and a
// message. No Swift frame ever lies between a setjmp and its longjmp: the branch-and-cut
// callback is written in C and calls back into Swift only with plain numbers.
//
// After a contained error GLPK requires glp_free_env(), which frees every problem of
// the calling thread. Callers must treat every glp_prob of the thread as gone.
#ifndef RINBAN_GLPK_GUARD_H
#define RINBAN_GLPK_GUARD_H

#include <glpk.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Text GLPK printed just before a contained failure (NUL-terminated).
typedef struct {
    char text[1024];
} rg_error;

/// Receives GLPK's terminal output when logging is on.
typedef void (*rg_log_fn)(void *info, const char *text);

/// Progress during branch-and-cut. Return non-zero to stop the search.
typedef int (*rg_progress_fn)(void *info, double elapsed, int has_incumbent, double incumbent,
                              int has_bound, double bound, int nodes);

/// Starts a GLPK session on this thread: installs the output hook, switches terminal
/// output off unless `log` is given. Returns 1 (and does nothing) if a session is
/// already open on this thread: sessions do not nest.
int rg_enter(rg_log_fn log, void *log_info);

/// Ends the session: frees this thread's GLPK environment (and so every problem left).
void rg_leave(void);

/// A model in compressed-row form, 0-based, as the Swift modelling layer stores it.
typedef struct {
    int n_cols;
    int n_rows;
    const unsigned char *col_integer;  // n_cols flags: 1 = integer
    const double *col_lb;               // -HUGE_VAL for none
    const double *col_ub;               // +HUGE_VAL for none
    const double *obj;                  // n_cols coefficients
    double obj_constant;
    int maximize;
    const double *row_lb;
    const double *row_ub;
    const long *row_start;              // n_rows + 1 offsets
    const int *row_col;                 // 0-based column of each non-zero
    const double *row_val;
    // Optional names: one buffer of NUL-terminated strings and an offset per entry (-1: none).
    const char *name_buf;
    const long *col_name_off;           // NULL when columns carry no names
    const long *row_name_off;           // NULL when rows carry no names
    const char *prob_name;              // NULL for none
} rg_model;

/// Creates a problem and loads the whole model (bounds, kinds, objective, matrix, names).
/// Returns 0 and sets *out, or 1 with err filled (the thread's environment is then gone).
int rg_build(const rg_model *m, glp_prob **out, rg_error *err);

/// Deletes a problem created by rg_build or rg_read on this thread.
void rg_delete(glp_prob *P);

typedef struct {
    int presolve;              // 1 on
    double time_limit;         // seconds; <= 0 for none
    double gap_limit;          // relative gap (rinban's definition); < 0 for none
    int gmi_cuts, mir_cuts, cov_cuts, clq_cuts, fp_heur;
    int most_fractional;       // 1: branch on the most fractional variable (else GLPK's default)
    const double *start;       // 1-based, n_cols + 1 entries, checked feasible by the caller; NULL for none
    rg_progress_fn progress;
    void *progress_info;
    double progress_interval;  // seconds between periodic reports
    int verbose;               // 1: GLPK prints its log (to the log hook)
    int interior;              // 1: continuous models by the interior-point method (no time limit in GLPK)
} rg_params;

enum {
    RG_STOP_NONE = 0,
    RG_STOP_DEADLINE = 1,
    RG_STOP_GAP = 2,
    RG_STOP_CALLER = 3,
};

enum {
    RG_START_NONE = 0,         // no start given
    RG_START_ACCEPTED = 1,     // glp_ios_heur_sol took it
    RG_START_DECLINED = 2,     // glp_ios_heur_sol returned non-zero (not better than the incumbent)
    RG_START_PENDING = 3,      // never asked: GLPK did not reach a heuristic point
    RG_START_SIZE_MISMATCH = 4,
};

typedef struct {
    int is_mip;
    int ret;                   // return code of the last GLPK solver call
    int lp_status;             // glp_get_status after the last simplex (0 if none ran)
    int mip_status;            // glp_mip_status after intopt (0 if none ran)
    int relaxation_only;       // 1 if the MIP stopped at its LP relaxation (no intopt call)
    int interior;              // 1 if the interior-point method solved it (lp_status is glp_ipt_status)
    int stop_reason;           // RG_STOP_*
    int start_state;           // RG_START_*
    int has_bound;
    double bound;              // best proven bound seen in the tree
    int has_incumbent;
    double objective;
    double seconds;
    int nodes;
} rg_outcome;

/// Solves: simplex for a continuous model, branch-and-cut for a model with integer
/// columns. Returns 0 with the outcome filled, or 1 with err filled.
int rg_solve(glp_prob *P, const rg_params *p, rg_outcome *o, rg_error *err);

/// Copies column values into out[0..<n]: `source` 0 simplex, 1 MIP, 2 interior point.
void rg_column_values(glp_prob *P, int source, double *out, int n);

/// Row duals of the simplex solution (0-based out, n rows).
void rg_row_duals(glp_prob *P, double *out, int n);

enum { RG_FORMAT_CPLEX_LP = 0, RG_FORMAT_FREE_MPS = 1 };

/// Writes the problem to a file. *ret is GLPK's return code (0 ok); on a non-zero *ret
/// err holds GLPK's diagnosis.
int rg_write(glp_prob *P, int format, const char *path, int *ret, rg_error *err);

/// Reads a problem from a file into a new problem. *ret is GLPK's return code (0 ok);
/// on a non-zero *ret the problem is deleted, *out is NULL and err holds GLPK's diagnosis
/// (file name and line).
int rg_read(int format, const char *path, glp_prob **out, int *ret, rg_error *err);

/// Row, column and non-zero counts of a problem.
void rg_size(glp_prob *P, int *rows, int *cols, int *nonzeros, int *integers);

#ifdef __cplusplus
}
#endif
#endif
