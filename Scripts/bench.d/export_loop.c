/* The C baseline for the anslag-export benchmark: libxlsxwriter in constant-memory mode writing
 * the same cells anslag-export writes for a budget (Blad, Cell, Roll, Post, År, Område, Nyckel,
 * Belopp; bold frozen header, widths, the kronor format, a SUM row with its cached value), read
 * from the rows' TSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    FILE *in = fopen(argv[1], "r");
    if (!in) return 2;
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[2], &opt);
    lxw_format *kr = workbook_add_format(wb); format_set_num_format(kr, "# ##0 \"kr\"");
    lxw_format *text = workbook_add_format(wb); format_set_num_format(text, "@");
    lxw_format *head = workbook_add_format(wb); format_set_bold(head); format_set_bottom(head, LXW_BORDER_THIN);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Budget");
    double widths[] = {16, 8, 9, 40, 6, 20, 24, 16};
    for (int c = 0; c < 8; c++) worksheet_set_column(ws, c, c, widths[c], NULL);
    const char *titles[] = {"Blad", "Cell", "Roll", "Post", "År", "Område", "Nyckel", "Belopp"};
    for (int c = 0; c < 8; c++) worksheet_write_string(ws, 0, c, titles[c], head);
    worksheet_freeze_panes(ws, 1, 0);
    char line[1024];
    int row = 1;
    while (fgets(line, sizeof line, in)) {
        char *f[7]; int n = 0;
        for (char *p = strtok(line, "\t\n"); p && n < 7; p = strtok(NULL, "\t\n")) f[n++] = p;
        if (n < 5) continue;
        worksheet_write_string(ws, row, 0, f[0], NULL);
        worksheet_write_string(ws, row, 1, f[1], text);
        worksheet_write_string(ws, row, 2, f[2], NULL);
        if (n == 7) {
            worksheet_write_string(ws, row, 3, f[3], NULL);
            worksheet_write_number(ws, row, 4, atof(f[4]), NULL);
            worksheet_write_string(ws, row, 5, f[5], NULL);
            worksheet_write_number(ws, row, 7, atof(f[6]), kr);
        } else {
            char formula[64];
            snprintf(formula, sizeof formula, "=SUM(H2:H%d)", row);
            worksheet_write_string(ws, row, 3, f[3], head);
            worksheet_write_formula_num(ws, row, 7, formula, kr, atof(f[4]));
        }
        row++;
    }
    worksheet_autofilter(ws, 0, 0, row - 1, 7);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
