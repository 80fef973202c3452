// Debian's libglpk-dev installs glpk.h under /usr/include and ships no pkg-config
// file; the module map links `glpk` directly.
#include <glpk.h>
