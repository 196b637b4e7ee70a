#ifndef CATALOGWATCH_CYAML_SHIM_H
#define CATALOGWATCH_CYAML_SHIM_H
#include <yaml.h>
#endif
