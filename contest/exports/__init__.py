"""Result exports (.xlsx, .csv) with Vietnamese headers, safe to open in a spreadsheet."""
