"""govscore: score government-service work under the 2023 Yantai supervision measures."""

__version__ = "0.1.0"
