/* The anslag-import benchmark input, deterministic: a 100-sheet budget workbook with 200 000
 * line items and 5 000 totals (each sheet: a title, a header, 50 sections of a heading, 40
 * lines and a "Summa" SUM formula with its cached value; and a grand total over the sections). */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[1], &opt);
    lxw_format *kr = workbook_add_format(wb);
    format_set_num_format(kr, "# ##0 \"kr\"");
    unsigned long long seed = 20241101ULL;
    char buf[128], formula[128];
    int totals = 0, lines = 0;
    for (int s = 0; s < 100; s++) {
        snprintf(buf, sizeof buf, "Område %d", s + 1);
        lxw_worksheet *ws = workbook_add_worksheet(wb, buf);
        int r = 0;
        snprintf(buf, sizeof buf, "Budget 2025 för område %d", s + 1);
        worksheet_write_string(ws, r++, 0, buf, NULL);
        r++;
        worksheet_write_string(ws, r, 0, "Post", NULL);
        worksheet_write_string(ws, r, 1, "Belopp", NULL);
        worksheet_write_string(ws, r++, 2, "Kommentar", NULL);
        char grand[4096] = "=";
        double grand_value = 0;
        for (int sec = 0; sec < 50; sec++) {
            snprintf(buf, sizeof buf, "Verksamhet %d.%d", s + 1, sec + 1);
            worksheet_write_string(ws, r++, 0, buf, NULL);
            int first = r;
            double sum = 0;
            for (int l = 0; l < 40; l++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                double v = (double)((seed >> 33) % 2000000) + 1000;
                snprintf(buf, sizeof buf, "Post %d.%d.%d", s + 1, sec + 1, l + 1);
                worksheet_write_string(ws, r, 0, buf, NULL);
                worksheet_write_number(ws, r, 1, v, kr);
                if (l % 10 == 0) worksheet_write_string(ws, r, 2, "enligt beslut", NULL);
                sum += v; r++; lines++;
            }
            snprintf(formula, sizeof formula, "=SUM(B%d:B%d)", first + 1, r);
            worksheet_write_string(ws, r, 0, "Summa", NULL);
            worksheet_write_formula_num(ws, r, 1, formula, kr, sum);
            snprintf(buf, sizeof buf, "%sB%d", sec ? "+" : "", r + 1);
            strcat(grand, buf);
            grand_value += sum;
            r++; totals++;
            r++;   /* a blank row between sections */
        }
        worksheet_write_string(ws, r, 0, "Totalt", NULL);
        worksheet_write_formula_num(ws, r, 1, grand, kr, grand_value);
    }
    fprintf(stderr, "%d lines, %d section totals, 100 grand totals\n", lines, totals);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
