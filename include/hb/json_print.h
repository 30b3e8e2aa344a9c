/* Exact JSON printing: every JSON text hb writes goes through here. */
#ifndef HB_JSON_PRINT_H
#define HB_JSON_PRINT_H

#include <cjson/cJSON.h>

/* cJSON holds numbers as doubles, exact for integers only below 2^53. A
 * text like 9007199254740993 already arrives rounded to 2^53, so 2^53
 * itself cannot be trusted either: the largest accepted magnitude is
 * 2^53 - 1. */
#define HB_JSON_MAX_EXACT_INTEGER 9007199254740991.0

/* Compact JSON text of a tree (members in their order: the trees
 * hb_json_from_lua makes have sorted keys), newly allocated, never NULL.
 * Use it instead of cJSON_PrintUnformatted, which rounds integers of 16
 * digits or more (9007199254740991 -> 9.00719925474099e+15): here whole
 * numbers up to 2^53 print with all their digits, others with the fewest
 * digits that read back exactly. */
char *hb_json_print(const cJSON *v);
/* The same, indented for people as jq prints it: two spaces a level,
 * "key": value, empty arrays and objects as [] and {}. Use it instead of
 * cJSON_Print. */
char *hb_json_print_pretty(const cJSON *v);

#endif
