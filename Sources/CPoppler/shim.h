// PDF text with positions (poppler-glib) and page rendering for ruling lines (cairo): the
// headers the unit tests check the core's own declarations against (Poppler.swift).
#include <poppler.h>
#include <cairo.h>
