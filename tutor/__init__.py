"""The tutoring domain: parsing, step verification, problems, solver, hints and learner model.

Pure Python on top of SymPy: no database, no web, no torch.
"""
