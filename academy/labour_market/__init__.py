"""Labour-market information (LMI): one adapter per published source, the refresh that
loads what they parse all or nothing, and the reads behind the labour-market page.

Adapters (`adapters/`) turn a file into typed observations and know nothing of the
database; `refresh.py` compares them with what is stored and writes the difference in
one transaction; `selectors.py` reads the figures back for pages, hooks and commands.
Column names, codes and labels that a new edition may rename live in `config.py`.
"""
