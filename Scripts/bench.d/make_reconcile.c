/* The anslag-reconcile benchmark input, deterministic: one budget workbook for each of the
 * 311 recipients (290 kommuner and 21 regioner, from Sources/AnslagCore/Resources/regions.tsv),
 * 500 line items each in 10 sections closed by SUM formulas and a grand total, and the
 * allocation table (Mottagare;Belopp) whose amounts equal the budgets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    const char *dir = argv[1];
    char path[2048], line[512], buf[128], formula[256];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/budgets", dir);
    mkdir(path, 0755);
    FILE *in = fopen(argv[2], "r");
    if (!in) return 2;
    snprintf(path, sizeof path, "%s/allocation.csv", dir);
    FILE *alloc = fopen(path, "wb");
    fputs("Mottagare;Belopp\r\n", alloc);
    unsigned long long seed = 311;
    int files = 0;
    while (fgets(line, sizeof line, in)) {
        if (line[0] == '#' || !strncmp(line, "valid", 5)) continue;
        char *code = strtok(line, "\t"), *kind = strtok(NULL, "\t"), *name = strtok(NULL, "\t");
        if (!code || !kind || !name || !strcmp(kind, "riket")) continue;
        snprintf(path, sizeof path, "%s/budgets/%s %s budget.xlsx", dir, code, name);
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
        lxw_workbook *wb = workbook_new_opt(path, &opt);
        lxw_format *kr = workbook_add_format(wb);
        format_set_num_format(kr, "# ##0 \"kr\"");
        lxw_worksheet *ws = workbook_add_worksheet(wb, "Budget");
        worksheet_write_string(ws, 0, 0, "Budget 2025", NULL);
        worksheet_write_string(ws, 1, 0, "Mottagare", NULL);
        worksheet_write_string(ws, 1, 1, name, NULL);
        worksheet_write_string(ws, 3, 0, "Post", NULL);
        worksheet_write_string(ws, 3, 1, "Belopp", NULL);
        int r = 4;
        double total = 0;
        char grand[512] = "=";
        for (int s = 0; s < 10; s++) {
            snprintf(buf, sizeof buf, "Verksamhet %d", s + 1);
            worksheet_write_string(ws, r++, 0, buf, NULL);
            int first = r;
            double sum = 0;
            for (int l = 0; l < 50; l++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                double v = (double)((seed >> 33) % 100000) + 100;
                snprintf(buf, sizeof buf, "Post %d.%d", s + 1, l + 1);
                worksheet_write_string(ws, r, 0, buf, NULL);
                worksheet_write_number(ws, r, 1, v, kr);
                sum += v; r++;
            }
            snprintf(formula, sizeof formula, "=SUM(B%d:B%d)", first + 1, r);
            worksheet_write_string(ws, r, 0, "Summa", NULL);
            worksheet_write_formula_num(ws, r, 1, formula, kr, sum);
            snprintf(buf, sizeof buf, "%sB%d", s ? "+" : "", r + 1);
            strcat(grand, buf);
            total += sum;
            r += 2;
        }
        worksheet_write_string(ws, r, 0, "Totalt", NULL);
        worksheet_write_formula_num(ws, r, 1, grand, kr, total);
        if (workbook_close(wb) != LXW_NO_ERROR) return 1;
        fprintf(alloc, "%s %s;%.0f\r\n", code, name, total);
        files++;
    }
    fclose(alloc);
    fprintf(stderr, "%d budget workbooks\n", files);
    return files == 311 ? 0 : 1;
}
