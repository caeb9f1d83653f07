"""The core of clientloop: one dispatcher, the flows, the bus, and the rooms they rest on.

dispatcher -> interpreter | queries -> flows -> presentation | ports | messagebus -> domain;
persistence and delivery implement the ports and never import the flows.
"""
