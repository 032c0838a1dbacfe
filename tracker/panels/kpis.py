"""(helper A: see the issue 13 brief)"""
