"""Settings split per environment; `base` holds what they share.

https://docs.djangoproject.com/en/5.2/topics/settings/
"""
