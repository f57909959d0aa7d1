"""Funder returns (issue 14): named, versioned sets of indicators an academy sends its
funders each quarter, half-year or year, built from the figures the report counts.

- `metrics`: what an indicator can count (the one registry);
- `periods`: the periods of a return's pattern in a financial year;
- `shipped`: the returns every academy starts with (UKSPF People and Skills, a DWP
  programme); `services.funder_returns_install` copies them in;
- `build`: the figures by geography and period, and the exceptions to fix;
- `exports`: the XLSX workbook and the CSV.
"""
